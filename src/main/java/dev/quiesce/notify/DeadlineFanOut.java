package dev.quiesce.notify;

import io.quarkus.logging.Log;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sends a batch of notifications through one sink concurrently, so many sessions fit in a
 * shutdown's budget: at most {@value #MAX_CONCURRENT_SENDS} sends at once, results collected until
 * the deadline plus {@link #COLLECT_GRACE} (the sink itself gives up at the deadline). A send not
 * finished by then counts as not delivered before the deadline, one whose sink broke its contract and
 * threw as not delivered for that reason; both are logged, and an unfinished one is cancelled (its
 * thread interrupted).
 *
 * <p>Each batch gets a pool of its own, of daemon threads named {@code quiesce-notify-<n>} with
 * {@code n} counting on across batches (a sink that overstays must not hold up the exit), shut
 * down when the batch returns. Never throws.
 * Thread-safe: batches share nothing but the sink, which is thread-safe by contract.
 */
final class DeadlineFanOut {

    /** The most sends in flight at once. */
    static final int MAX_CONCURRENT_SENDS = 16;

    /** How long past the deadline results are still collected (the sink gives up at the deadline). */
    static final Duration COLLECT_GRACE = Duration.ofMillis(200);

    /**
     * Numbers the sender threads across batches, not per batch: a sender of an earlier batch that
     * ignores its interrupt may still be alive, and two threads must not share a name.
     */
    private static final AtomicInteger THREAD_NUMBER = new AtomicInteger();

    private final NotificationSink sink;
    private final Clock clock;

    /**
     * @param sink where every notification goes
     * @param clock the wall clock the deadline is given in
     */
    DeadlineFanOut(NotificationSink sink, Clock clock) {
        this.sink = sink;
        this.clock = clock;
    }

    /**
     * Sends all {@code notifications} and waits for them until {@code deadline} plus
     * {@link #COLLECT_GRACE}, however the wall clock moves meanwhile.
     *
     * @return in the same order, what became of each
     */
    List<Delivery> sendAll(List<Notification> notifications, Instant deadline) {
        if (notifications.isEmpty()) {
            return List.of();
        }
        // Measured on the monotonic clock from here on, whatever the wall clock does.
        Duration untilDeadline = Duration.between(clock.instant(), deadline);
        long giveUpAt = System.nanoTime() + Math.max(0, untilDeadline.toNanos()) + COLLECT_GRACE.toNanos();
        ExecutorService senders = Executors.newFixedThreadPool(
                Math.min(MAX_CONCURRENT_SENDS, notifications.size()), task -> {
                    Thread thread = new Thread(task, "quiesce-notify-" + THREAD_NUMBER.incrementAndGet());
                    thread.setDaemon(true); // a sink that overstays must not hold up the exit
                    return thread;
                });
        try {
            List<Future<Delivery>> pending = new ArrayList<>();
            for (Notification notification : notifications) {
                pending.add(senders.submit(() -> sink.deliver(notification, deadline)));
            }
            List<Delivery> delivered = new ArrayList<>();
            for (int i = 0; i < pending.size(); i++) {
                delivered.add(await(pending.get(i), giveUpAt, notifications.get(i)));
            }
            return delivered;
        } finally {
            senders.shutdownNow();
        }
    }

    private static Delivery await(Future<Delivery> result, long giveUpAt, Notification notification) {
        try {
            Delivery delivery = result.get(Math.max(0, giveUpAt - System.nanoTime()), TimeUnit.NANOSECONDS);
            return delivery != null ? delivery : Delivery.failed("the sink said nothing");
        } catch (TimeoutException e) {
            result.cancel(true);
            Log.warnf("The %s notification to channel '%s' did not finish by the deadline",
                    notification.kind().wireName(), notification.channel());
            return Delivery.stoppedByDeadline("the sink had not finished");
        } catch (ExecutionException e) {
            Log.warnf(e.getCause(), "The sink failed on the %s notification to channel '%s'",
                    notification.kind().wireName(), notification.channel());
            return Delivery.failed("the sink failed unexpectedly (see the log)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            result.cancel(true);
            return Delivery.failed("the notifier was interrupted");
        }
    }
}
