package dev.quiesce.notify;

import java.time.Instant;

/**
 * Delivers one {@link Notification} to its chat channel.
 *
 * <p>Contract for every implementation: {@link #send} never throws, returns {@code true} only
 * when the notification was delivered, and gives up (returning {@code false}) by
 * {@code deadline}. Implementations are thread-safe: the {@link ShutdownNotifier} calls one sink
 * from several threads at once.
 */
public interface NotificationSink {

    /**
     * Delivers {@code notification}, retrying as the implementation sees fit, never past
     * {@code deadline}. Never throws.
     *
     * @return true when delivered; false when it could not be delivered by the deadline (the
     *     implementation has logged why)
     */
    boolean send(Notification notification, Instant deadline);
}
