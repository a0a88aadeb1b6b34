package dev.quiesce.health;

import dev.quiesce.drain.DrainListener;
import dev.quiesce.drain.DrainSnapshot;
import dev.quiesce.drain.DrainStateBean;
import dev.quiesce.drain.Phase;
import dev.quiesce.drain.StatusFileWriter;
import dev.quiesce.home.HomeWritability;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness: UP only in RUNNING, so a draining gateway leaves the Service's endpoints and stops
 * receiving new traffic. Reports phase, turns in flight, drained, the drain id and the marker
 * judgement as data, and whether the home is writable ({@code home_writable}, with
 * {@code home_error} when it is not). Never throws: a failure reads as DOWN with the cause.
 *
 * <p><b>An unwritable home does not make it DOWN.</b> Readiness decides whether the pod gets user
 * traffic, and the data plane still works: turns run and are answered. What fails is the control
 * plane: BeginDrain and CancelDrain cannot write or remove the marker (they answer UNAVAILABLE and
 * nothing changes). Taking the pod out of the Service would turn "cannot be drained" into "cannot
 * serve", for every replica on the same broken volume at once; so the data says it, for the
 * operator and for alerts, and the status stays what the phase makes it.
 *
 * <p>Logs each change of readiness once (UP → DOWN with the phase and drain, DOWN → UP), not each
 * probe: a draining gateway is probed every few seconds for as long as the drain lasts.
 */
@Readiness
@ApplicationScoped
public class DrainReadinessCheck implements HealthCheck, DrainListener {

    private final DrainStateBean state;
    private final StatusFileWriter statusFile;
    private final HomeWritability home;
    /** Guarded by {@code this}: readiness as last logged; null before the first change. */
    private Boolean loggedReady;

    @Inject
    public DrainReadinessCheck(DrainStateBean state, StatusFileWriter statusFile, HomeWritability home) {
        this.state = state;
        this.statusFile = statusFile;
        this.home = home;
    }

    @Override
    public synchronized void onChange(DrainSnapshot snapshot) {
        boolean ready = snapshot.phase() == Phase.RUNNING;
        if (loggedReady != null && loggedReady == ready || loggedReady == null && ready) {
            loggedReady = ready;
            return; // no change; and being ready at start is not news
        }
        loggedReady = ready;
        if (ready) {
            Log.infof("Readiness UP: phase %s", snapshot.phase());
        } else {
            Log.infof("Readiness DOWN: phase %s%s, %d turn(s) in flight", snapshot.phase(),
                    snapshot.drain() == null ? "" : " (drain " + snapshot.drain().drainId() + ")",
                    snapshot.inFlightCount());
        }
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder builder = HealthCheckResponse.named("quiesce-drain");
        try {
            DrainSnapshot snapshot = state.current();
            builder.status(snapshot.phase() == Phase.RUNNING)
                    .withData("phase", snapshot.phase().name())
                    .withData("in_flight", snapshot.inFlightCount())
                    .withData("drained", snapshot.drained())
                    .withData("version", snapshot.version())
                    .withData("marker", snapshot.marker().status().name());
            if (snapshot.drain() != null) {
                builder.withData("drain_id", snapshot.drain().drainId());
            }
            builder.withData("inbox_waiting", snapshot.inbox().waiting());
            if (!snapshot.inbox().error().isEmpty()) {
                builder.withData("inbox_error", snapshot.inbox().error());
            }
            String statusError = statusFile.lastError();
            if (!statusError.isEmpty()) {
                builder.withData("status_file_error", statusError);
            }
            HomeHealthData.add(builder, home);
        } catch (RuntimeException e) {
            builder.down().withData("error", e.toString());
        }
        return builder.build();
    }
}
