package dev.quiesce.notify;

import dev.quiesce.config.QuiesceConfig;
import io.quarkus.logging.Log;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/** Picks the notification sink named by {@code quiesce.notify.sink}, once, at startup. */
@Singleton
public class NotifySetup {

    /**
     * Created at startup, so a misconfigured sink stops the application at once rather than at
     * its first shutdown, and the webhook's HTTP client is built (and warmed, in the background)
     * long before a shutdown needs it.
     */
    @Produces
    @Singleton
    @Startup
    NotificationSink sink(QuiesceConfig config, Clock clock) {
        QuiesceConfig.Notify notify = config.notifications();
        NotificationSink sink = create(notify.sink(), notify.webhook().url(), notify.webhook().timeout(),
                notify.webhook().attempts(), clock);
        if (sink instanceof WebhookSink webhook) {
            webhook.warmUpInBackground();
        }
        return sink;
    }

    /**
     * The sink named {@code sink}, from the {@code quiesce.notify.*} values.
     *
     * @throws IllegalStateException with a message naming the property when the configuration is
     *     unusable: {@code webhook} without a URL, or with an unusable URL, timeout or attempt count
     *     (an unknown sink never gets here: the config refuses it, naming the allowed values)
     */
    static NotificationSink create(QuiesceConfig.Notify.Sink sink, Optional<String> webhookUrl, Duration timeout,
            int attempts, Clock clock) {
        return switch (sink) {
            case LOG -> {
                Log.info("Notification sink: log");
                yield new LogSink();
            }
            case WEBHOOK -> webhook(webhookUrl, timeout, attempts, clock);
        };
    }

    private static WebhookSink webhook(Optional<String> webhookUrl, Duration timeout, int attempts, Clock clock) {
        String url = webhookUrl.map(String::strip).filter(u -> !u.isEmpty())
                .orElseThrow(() -> new IllegalStateException("quiesce.notify.sink=webhook needs "
                        + "quiesce.notify.webhook.url (where notifications are POSTed)"));
        WebhookSink webhook;
        try {
            webhook = new WebhookSink(WebhookEndpoint.parse(url), timeout, attempts, clock);
        } catch (IllegalArgumentException e) {
            // The messages name the property, never the URL (it may hold a token).
            throw new IllegalStateException(e.getMessage(), null);
        }
        Log.infof("Notification sink: webhook %s (timeout %s, %d attempt(s))", webhook.endpoint(), timeout, attempts);
        return webhook;
    }
}
