package dev.quiesce.inbox;

import static dev.quiesce.inbox.Chats.chat;
import static dev.quiesce.testing.GatewayClient.session;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quiesce.api.v1.DrainState;
import dev.quiesce.api.v1.TurnOutcome;
import dev.quiesce.api.v1.TurnResult;
import dev.quiesce.drain.BeginDrainCommand;
import dev.quiesce.drain.DrainStateBean;
import dev.quiesce.pipeline.MessagePipeline;
import dev.quiesce.testing.GatewayClient;
import dev.quiesce.testing.InjectWebhookReceiver;
import dev.quiesce.testing.LogRecorder;
import dev.quiesce.testing.Metrics;
import dev.quiesce.testing.TestHome;
import dev.quiesce.testing.TestTokens;
import dev.quiesce.testing.UnwritableDirs;
import dev.quiesce.testing.WebhookReceiver;
import dev.quiesce.testing.WebhookReceiverResource;
import io.grpc.Channel;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;

/**
 * An inbox.db the gateway can only read at start (SPEC §9 Store): it starts anyway, says why in the
 * state, readiness and metrics, refuses paused messages as before, and takes the inbox up a tick after
 * the file is writable again, answering what it held then.
 */
@QuarkusTest
@TestProfile(UnwritableInboxAtStartTest.Profile.class)
class UnwritableInboxAtStartTest {

    /** A home whose inbox.db holds one entry and is immutable ({@code chattr +i}) until the test thaws it. */
    public static class Profile implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(Home.class), new TestResourceEntry(WebhookReceiverResource.class));
        }
    }

    public static class Home extends TestHome {
        static volatile UnwritableDirs.Frozen frozen;
        /** Opened before the application starts: the error it logs at start is expected, and asserted. */
        static volatile LogRecorder log;

        @Override
        protected void prepare(Path home) throws IOException {
            SavedInbox.write(home, "saved-before", "an old question");
            frozen = UnwritableDirs.immutable(home.resolve("inbox.db"));
            log = LogRecorder.expecting(InboxFile.class);
        }

        @Override
        public void stop() {
            if (frozen != null) {
                frozen.close(); // or the temp dir stays undeletable
            }
            if (log != null) {
                log.close();
            }
        }
    }

    @InjectWebhookReceiver
    WebhookReceiver webhook;

    @GrpcClient("gateway")
    Channel channel;

    @Inject
    DrainStateBean state;

    @Test
    void theGatewayStartsInRefuseModeSaysWhyAndTakesTheInboxUpOnceItIsWritable() {
        GatewayClient gateway = new GatewayClient(channel);
        DrainState started = gateway.state();
        assertThat(started.getInbox().getError()).contains("inbox.db").contains("SQLITE_READONLY");
        JsonPath ready = given().get("/q/health/ready").then().statusCode(200).extract().jsonPath();
        assertThat(ready.getString("checks.find { it.name == 'quiesce-drain' }.data.inbox_error"))
                .isEqualTo(started.getInbox().getError());
        assertThat(Metrics.value("quiesce_inbox_unavailable")).isEqualTo(1);
        assertThat(Home.log.messages(Level.SEVERE)).as("once, not once per tick").singleElement().asString()
                .contains("SQLITE_READONLY");

        state.beginDrain(new BeginDrainCommand("test", "unwritable at start", false, Duration.ZERO));
        TurnResult refused = gateway.handle(TestTokens.INGESTER, chat(session("refused"), "kept?"));
        assertThat(refused.getOutcome()).isEqualTo(TurnOutcome.TURN_OUTCOME_REFUSED_DRAINING);
        assertThat(refused.getReply()).isEqualTo(MessagePipeline.DRAINING_REPLY);

        Home.frozen.close();
        await().until(() -> state.current().inbox().error().isEmpty());
        assertThat(Metrics.value("quiesce_inbox_unavailable")).isZero();
        assertThat(state.current().inbox().waiting()).as("what the file held").isEqualTo(1);
        TurnResult kept = gateway.handle(TestTokens.INGESTER, chat(session("kept"), "kept now?"));
        assertThat(kept.getOutcome()).isEqualTo(TurnOutcome.TURN_OUTCOME_DEFERRED);

        state.cancelDrain("test", "");
        assertThat(webhook.awaitDelivered("deferred_reply", "saved-before", 1))
                .extracting(WebhookReceiver.Delivery::deferredId).containsExactly("m-before-1");
        await().until(() -> state.current().inbox().waiting() == 0);
    }
}
