package dev.quiesce.health;

import dev.quiesce.drain.DrainSnapshot;
import dev.quiesce.drain.DrainStateBean;
import dev.quiesce.drain.Phase;
import dev.quiesce.drain.StatusFileWriter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness: UP only in RUNNING, so a draining gateway leaves the Service's endpoints and stops
 * receiving new traffic. Reports phase, turns in flight, drained, the drain id and the marker
 * judgement as data. Never throws: a failure reads as DOWN with the cause.
 */
@Readiness
@ApplicationScoped
public class DrainReadinessCheck implements HealthCheck {

    private final DrainStateBean state;
    private final StatusFileWriter statusFile;

    @Inject
    public DrainReadinessCheck(DrainStateBean state, StatusFileWriter statusFile) {
        this.state = state;
        this.statusFile = statusFile;
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
            String statusError = statusFile.lastError();
            if (!statusError.isEmpty()) {
                builder.withData("status_file_error", statusError);
            }
        } catch (RuntimeException e) {
            builder.down().withData("error", e.toString());
        }
        return builder.build();
    }
}
