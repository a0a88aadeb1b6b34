package dev.quiesce.lifecycle;

import dev.quiesce.api.v1.BeginDrainRequest;
import dev.quiesce.api.v1.DrainControlGrpc;
import dev.quiesce.api.v1.DrainState;
import dev.quiesce.testing.Browser;
import dev.quiesce.testing.ConsolePage;
import dev.quiesce.testing.TestTokens;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

import static dev.quiesce.testing.GrpcAuth.as;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The console's stream lost and found again, in a real browser against the packaged application: the
 * gateway is restarted under the open page, which says the stream is lost and, once the new process
 * serves on the same port, reconnects by itself and follows the new process's changes, without a reload.
 */
class ConsoleReconnectIT {

    @Test
    void aRestartedGatewayIsShownAsLostThenFollowedAgain() throws Exception {
        Path home = PackagedApp.newHome();
        try (Browser browser = Browser.start()) {
            ConsolePage page = new ConsolePage(browser);
            int port;
            try (PackagedApp first = PackagedApp.start(home, Map.of(), PackagedApp.FAST_START)) {
                port = first.port;
                page.open("http://localhost:" + port + "/").useToken(TestTokens.READER.token);
                page.awaitLive("RUNNING", Duration.ofSeconds(5));
                page.markThisPage();

                assertThat(first.terminate(Duration.ofSeconds(30)).code()).isEqualTo(0);
            }

            browser.waitUpTo(Duration.ofSeconds(5)).until(d -> "lost".equals(page.connection()));
            assertThat(browser.textContent("connection")).startsWith("stream lost");

            try (PackagedApp second = PackagedApp.start(home, Map.of("quarkus.http.port", String.valueOf(port)),
                    PackagedApp.FAST_START)) {
                // The page retries at most 5 s apart; the new process serves within a few seconds.
                page.awaitLive("RUNNING", Duration.ofSeconds(15));
                DrainState drained = as(DrainControlGrpc.newBlockingStub(second.channel()), TestTokens.OPERATOR)
                        .beginDrain(BeginDrainRequest.newBuilder().setReason("after the restart").build());

                page.awaitLive("DRAINING", ConsolePage.SHOWS_WITHIN);
                page.awaitText("drain-id", drained.getDrain().getDrainId(), ConsolePage.SHOWS_WITHIN);
                assertThat(page.stillTheSamePage()).isTrue();
                assertThat(second.terminate(Duration.ofSeconds(30)).code()).isEqualTo(0);
            }
        }
    }
}
