package dev.quiesce.notify;

import io.quarkus.logging.Log;
import java.time.Instant;

/**
 * The default sink ({@code quiesce.notify.sink=log}): writes each notification to the log at INFO
 * (kind, channel, session, text — for an agent's answer to a user only its size) and counts it as
 * delivered. For deployments whose log pipeline is
 * the notification channel, and for trying Quiesce out. Stateless and thread-safe.
 */
public final class LogSink implements NotificationSink {

    /** Logs {@code notification}; always true. Never throws. */
    @Override
    public boolean send(Notification notification, Instant deadline) {
        if (notification.carriesUserData()) {
            // An agent's answer to a user is user data: its size and ids only.
            Log.infof("Notification %s to channel '%s' (session '%s', deferred %s): %d characters, not logged",
                    notification.kind().wireName(), notification.channel(), notification.sessionId(),
                    notification.deferredId(), notification.text().length());
            return true;
        }
        Log.infof("Notification %s to channel '%s' (session '%s'): %s",
                notification.kind().wireName(), notification.channel(), notification.sessionId(),
                notification.text());
        return true;
    }
}
