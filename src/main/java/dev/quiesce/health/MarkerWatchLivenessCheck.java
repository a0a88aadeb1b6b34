package dev.quiesce.health;

import dev.quiesce.drain.MarkerWatcher;
import dev.quiesce.home.HomeWritability;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/**
 * Liveness: DOWN when the marker watch thread has died, because then a marker written by another
 * process is only seen on the poll tick and a restart restores the watch. Also reports whether the
 * home is writable ({@code home_writable}, {@code home_error}) as data, without going DOWN for it: a
 * restart does not make a read-only or full volume writable, and it would cut off the running turns.
 * Never throws.
 */
@Liveness
@ApplicationScoped
public class MarkerWatchLivenessCheck implements HealthCheck {

    private final MarkerWatcher watcher;
    private final HomeWritability home;

    @Inject
    public MarkerWatchLivenessCheck(MarkerWatcher watcher, HomeWritability home) {
        this.watcher = watcher;
        this.home = home;
    }

    @Override
    public HealthCheckResponse call() {
        try {
            boolean alive = watcher.isAlive();
            var builder = HealthCheckResponse.named("quiesce-marker-watch").status(alive)
                    .withData("last_tick", String.valueOf(watcher.lastTick()));
            if (!alive) {
                builder.withData("cause", watcher.deathCause());
            }
            HomeHealthData.add(builder, home);
            return builder.build();
        } catch (RuntimeException e) {
            return HealthCheckResponse.named("quiesce-marker-watch").down().withData("error", e.toString()).build();
        }
    }
}
