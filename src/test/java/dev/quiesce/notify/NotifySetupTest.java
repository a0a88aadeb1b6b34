package dev.quiesce.notify;

import dev.quiesce.config.QuiesceConfig.Notify.Sink;
import dev.quiesce.testing.TestConfig;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The choice of sink from {@code quiesce.notify.*}, and the startup failures of a bad choice. */
class NotifySetupTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    private final Clock clock = Clock.systemUTC();

    @Test
    void theLogSinkNeedsNothingElse() {
        assertThat(NotifySetup.create(Sink.LOG, Optional.empty(), TIMEOUT, 3, clock)).isInstanceOf(LogSink.class);
    }

    @Test
    void theWebhookSinkPostsToTheConfiguredUrl() {
        NotificationSink sink = NotifySetup.create(Sink.WEBHOOK,
                Optional.of("https://hooks.example.org/services/T/B/s3cr3t"), TIMEOUT, 3, clock);

        assertThat(sink).isInstanceOfSatisfying(WebhookSink.class,
                webhook -> assertThat(webhook.endpoint()).isEqualTo("https://hooks.example.org:443"));
    }

    @Test
    void webhookWithoutAUrlFailsNamingTheMissingProperty() {
        assertThatThrownBy(() -> NotifySetup.create(Sink.WEBHOOK, Optional.empty(), TIMEOUT, 3, clock))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("quiesce.notify.webhook.url");
        assertThatThrownBy(() -> NotifySetup.create(Sink.WEBHOOK, Optional.of("  "), TIMEOUT, 3, clock))
                .hasMessageContaining("quiesce.notify.webhook.url");
    }

    @Test
    void anUnusableWebhookUrlFailsWithoutRepeatingIt() {
        assertThatThrownBy(() -> NotifySetup.create(Sink.WEBHOOK, Optional.of("https://hooks.example.org/s3cr3t x"),
                TIMEOUT, 3, clock))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("quiesce.notify.webhook.url")
                .hasMessageNotContaining("s3cr3t");
        assertThatThrownBy(() -> NotifySetup.create(Sink.WEBHOOK, Optional.of("mailto:ops@s3cr3t.example"),
                TIMEOUT, 3, clock))
                .hasMessageContaining("quiesce.notify.webhook.url")
                .hasMessageNotContaining("s3cr3t");
    }

    @Test
    void fewerThanOneAttemptFailsNamingTheProperty() {
        assertThatThrownBy(() -> NotifySetup.create(Sink.WEBHOOK, Optional.of("http://localhost:9/hook"), TIMEOUT, 0,
                clock))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("quiesce.notify.webhook.attempts");
    }

    @Test
    void anUnknownSinkFailsNamingThePropertyAndTheChoices() {
        assertThatThrownBy(() -> TestConfig.of(Map.of("quiesce.notify.sink", "slack")))
                .hasMessageContaining("quiesce.notify.sink").hasMessageContaining("slack")
                .hasMessageContaining("log").hasMessageContaining("webhook");
    }

    @Test
    void theConfiguredSinkIsTheOneCreatedInUpperCaseToo() {
        NotificationSink sink = new NotifySetup().sink(TestConfig.of(Map.of("quiesce.notify.sink", "WEBHOOK",
                "quiesce.notify.webhook.url", "http://127.0.0.1:9/hook")), clock);

        assertThat(sink).isInstanceOf(WebhookSink.class);
    }
}
