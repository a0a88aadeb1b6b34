package dev.quiesce.notify;

import java.net.URI;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The webhook's URL as a value: checked, logged as {@code scheme://host:port}, scrubbed from messages. */
class WebhookEndpointTest {

    private static final String SLACK_LIKE = "https://hooks.slack.com/services/T0001/B0001/s3cr3t-t0ken";

    @Test
    void theLoggedEndpointIsSchemeHostAndPortOnly() {
        assertThat(WebhookEndpoint.of(URI.create("https://hooks.slack.com/services/T/B/secret?x=1")).loggable())
                .isEqualTo("https://hooks.slack.com:443");
        assertThat(WebhookEndpoint.of(URI.create("http://user:pw@example.org/hook")).loggable())
                .isEqualTo("http://example.org:80");
        assertThat(WebhookEndpoint.of(URI.create("http://[::1]:9000/hook")).loggable()).isEqualTo("http://[::1]:9000");
        assertThat(WebhookEndpoint.of(URI.create("HTTPS://example.org:8443/hook")).loggable())
                .isEqualTo("https://example.org:8443");
    }

    @Test
    void itsTextFormIsTheLoggableOneSoPrintingItNeverLeaksTheSecret() {
        WebhookEndpoint endpoint = WebhookEndpoint.parse(SLACK_LIKE);

        assertThat(endpoint).hasToString("https://hooks.slack.com:443");
        assertThat(endpoint.url()).isEqualTo(URI.create(SLACK_LIKE));
    }

    @Test
    void anythingButAnHttpUrlIsRefusedWithoutQuotingIt() {
        assertThatThrownBy(() -> WebhookEndpoint.of(URI.create("ftp://files.example/s3cr3t")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("quiesce.notify.webhook.url")
                .hasMessageNotContaining("s3cr3t");
        assertThatThrownBy(() -> WebhookEndpoint.parse("https://hooks.example.org/s3cr3t x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("quiesce.notify.webhook.url")
                .hasMessageNotContaining("s3cr3t")
                .hasNoCause();
    }

    @Test
    void aMessageQuotingTheUrlIsScrubbedOfItAndOfItsPath() {
        WebhookEndpoint endpoint = WebhookEndpoint.parse(SLACK_LIKE);

        assertThat(endpoint.scrub("POST " + SLACK_LIKE + " failed"))
                .isEqualTo("POST https://hooks.slack.com:443 failed");
        assertThat(endpoint.scrub("no route for /services/T0001/B0001/s3cr3t-t0ken")).isEqualTo("no route for /…");
        assertThat(endpoint.scrub("Connection reset")).isEqualTo("Connection reset");
        assertThat(endpoint.scrub(null)).isNull();
    }

    @Test
    void aUrlWithoutAPathLeavesSlashesInMessagesAlone() {
        WebhookEndpoint endpoint = WebhookEndpoint.parse("http://hooks.example.org/");

        assertThat(endpoint.scrub("a/b and / stay")).isEqualTo("a/b and / stay");
    }
}
