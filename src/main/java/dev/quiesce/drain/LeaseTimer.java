package dev.quiesce.drain;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Runs a check just after a drain's lease runs out, so expiry does not wait for the poll tick. One
 * check is pending at most: scheduling another replaces it. Thread-safe.
 */
final class LeaseTimer {

    /** Past the expiry, so the check finds the lease over rather than about to be. */
    private static final long MARGIN_MS = 5;

    private final Clock clock;
    private final Runnable check;
    /**
     * A cancelled check leaves the queue at once (remove-on-cancel): by default it would stay there,
     * holding memory, until the lease it watched would have ended (an hour by default, up to a day),
     * piling up with every renewal and poll tick of a long drain.
     */
    private final ScheduledThreadPoolExecutor timer;
    /** Guarded by {@code this}: the pending check, replaced by every {@link #schedule}. */
    private ScheduledFuture<?> pending;

    LeaseTimer(Clock clock, Runnable check) {
        this.clock = clock;
        this.check = check;
        this.timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread thread = new Thread(r, "quiesce-lease-timer");
            thread.setDaemon(true);
            return thread;
        });
        timer.setRemoveOnCancelPolicy(true);
    }

    /** Schedules the check for just after {@code expiresAt}, replacing the pending one. No-op for null or after {@link #stop}. */
    synchronized void schedule(Instant expiresAt) {
        if (expiresAt == null || timer.isShutdown()) {
            return;
        }
        if (pending != null) {
            pending.cancel(false);
        }
        long delayMs = Math.max(0, Duration.between(clock.instant(), expiresAt).toMillis()) + MARGIN_MS;
        try {
            pending = timer.schedule(check, delayMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // Stopped in between: the lease no longer matters.
        }
    }

    /** Drops the pending check for good: shutting down, a lease no longer ends anything. */
    void stop() {
        timer.shutdownNow();
    }

    /** Checks waiting: at most one while the gateway runs. */
    int pending() {
        return timer.getQueue().size();
    }
}
