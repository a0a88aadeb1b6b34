package dev.quiesce.health;

import dev.quiesce.drain.MarkerWatcher;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/**
 * Liveness: DOWN when the marker watch thread has died, because then a marker written by another
 * process is only seen on the poll tick and a restart restores the watch. Never throws.
 */
@Liveness
@ApplicationScoped
public class MarkerWatchLivenessCheck implements HealthCheck {

    private final MarkerWatcher watcher;

    @Inject
    public MarkerWatchLivenessCheck(MarkerWatcher watcher) {
        this.watcher = watcher;
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
            return builder.build();
        } catch (RuntimeException e) {
            return HealthCheckResponse.named("quiesce-marker-watch").down().withData("error", e.toString()).build();
        }
    }
}
