package dev.quiesce.notify;

import dev.quiesce.config.OutboundHttp;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The warm-up of the webhook's HTTP client, against its own throwaway loopback socket. */
class WebhookWarmUpTest {

    private final HttpClient client = OutboundHttp.newClient(Duration.ofSeconds(2));

    @Test
    void theWarmUpRequestIsAnsweredByItsOwnLoopbackSocket() {
        assertThat(WebhookWarmUp.run(client)).isTrue();
    }

    @Test
    void inTheBackgroundItRunsOnADaemonThreadOfItsOwnNameThatEnds() throws InterruptedException {
        Thread warmUp = WebhookWarmUp.startInBackground(client);

        assertThat(warmUp.getName()).isEqualTo(WebhookWarmUp.THREAD).isNotEqualTo(WebhookWarmUp.ANSWERER_THREAD);
        assertThat(warmUp.isDaemon()).isTrue();
        warmUp.join(TimeUnit.SECONDS.toMillis(10));
        assertThat(warmUp.isAlive()).isFalse();
    }

    @Test
    void anInterruptedWarmUpGivesUpAtOnceAndKeepsTheInterrupt() {
        Thread.currentThread().interrupt();
        try {
            assertThat(WebhookWarmUp.run(client)).isFalse();
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
    }
}
