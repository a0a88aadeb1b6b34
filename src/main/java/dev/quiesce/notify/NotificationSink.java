package dev.quiesce.notify;

import java.time.Instant;

/**
 * Delivers one {@link Notification} to its chat channel.
 *
 * <p>Contract for every implementation: {@link #send} and {@link #deliver} never throw, report a
 * delivery only when the notification was delivered, and give up by {@code deadline}.
 * Implementations are thread-safe: the {@link ShutdownNotifier} calls one sink from several threads
 * at once.
 */
public interface NotificationSink {

    /**
     * Delivers {@code notification}, retrying as the implementation sees fit, never past
     * {@code deadline}. Never throws.
     *
     * @return true when delivered; false when it was not, by the deadline or for a reason of its own
     *     (the implementation has logged why)
     */
    boolean send(Notification notification, Instant deadline);

    /**
     * As {@link #send}, saying what became of it ({@link Delivery}). A sink that can tell its
     * attempts from its deadline overrides this; the default knows only whether {@link #send}
     * delivered. Never throws.
     */
    default Delivery deliver(Notification notification, Instant deadline) {
        return send(notification, deadline) ? Delivery.DELIVERED : Delivery.failed("the sink did not deliver it");
    }
}
