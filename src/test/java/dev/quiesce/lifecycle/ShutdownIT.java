package dev.quiesce.lifecycle;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quiesce.api.v1.BeginDrainRequest;
import dev.quiesce.api.v1.DrainControlGrpc;
import dev.quiesce.api.v1.GetStateRequest;
import dev.quiesce.api.v1.InboundMessage;
import dev.quiesce.api.v1.MessageGatewayGrpc;
import dev.quiesce.api.v1.TurnOutcome;
import dev.quiesce.api.v1.TurnResult;
import dev.quiesce.home.IsoTimes;
import dev.quiesce.notify.ShutdownNotifier;
import dev.quiesce.testing.TestHome;
import dev.quiesce.testing.TestTokens;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static dev.quiesce.testing.GrpcAuth.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * SPEC §7 against the packaged application: SIGTERM, the wait for running turns, interrupts with
 * the resume hint, and the suppressible, de-duplicated home broadcast — observed on a real webhook.
 */
class ShutdownIT {

    private static final String HOME_CHANNEL = "#gateway-ops";
    private static final Duration NOTIFY_BUDGET = Duration.ofSeconds(5);

    private WebhookRecorder webhook;

    @BeforeEach
    void startWebhook() throws IOException {
        webhook = new WebhookRecorder();
    }

    @AfterEach
    void stopWebhook() {
        webhook.close();
    }

    private Map<String, String> config(String echoDelay, String drainTimeout) {
        Map<String, String> config = new HashMap<>();
        config.put("quiesce.notify.sink", "webhook");
        config.put("quiesce.notify.webhook.url", webhook.url());
        config.put("quiesce.notify.home-channel", HOME_CHANNEL);
        config.put("quiesce.notify.budget", NOTIFY_BUDGET.toSeconds() + "s");
        config.put("quiesce.turn.echo.delay", echoDelay);
        config.put("quiesce.shutdown.drain-timeout", drainTimeout);
        return config;
    }

    @Test
    void idleShutdownBroadcastsToTheHomeChannelAndPingsNoSession() throws Exception {
        try (PackagedApp app = PackagedApp.start(PackagedApp.newHome(), config("0s", "10s"))) {
            PackagedApp.Exit exit = app.terminate(Duration.ofSeconds(30));

            assertThat(exit.code()).isZero();
            // Nothing to wait for: recording no turns and closing the inbox add nothing that shows (SPEC §10).
            assertThat(exit.took()).isLessThan(Duration.ofSeconds(1));
            assertThat(webhook.ofKind("home_shutdown")).singleElement()
                    .satisfies(n -> assertThat(n.path("channel").asText()).isEqualTo(HOME_CHANNEL));
            assertThat(webhook.ofKind("session_interrupted")).isEmpty();
            assertThat(Files.readString(app.home.resolve("gateway_state.json"))).contains("\"stopped\"");
            assertThat(Files.readString(app.home.resolve("drain-audit.jsonl"))).contains("shutdown_summary");
        }
    }

    @Test
    void ctrlCRunsTheSameShutdownAndExitsWithStatusZero() throws Exception {
        try (PackagedApp app = PackagedApp.start(PackagedApp.newHome(), config("0s", "10s"))) {
            PackagedApp.Exit exit = app.interrupt(Duration.ofSeconds(30));

            assertThat(exit.code()).as("not the JVM's 130").isZero();
            assertThat(webhook.ofKind("home_shutdown")).hasSize(1);
            assertThat(Files.readString(app.home.resolve("gateway_state.json"))).contains("\"stopped\"");
            assertThat(Files.readString(app.home.resolve("drain-audit.jsonl"))).contains("shutdown_summary");
        }
    }

    @Test
    void slowTurnThatFinishesInsideTheDrainTimeoutCompletesWithoutAPing() throws Exception {
        try (PackagedApp app = PackagedApp.start(PackagedApp.newHome(), config("3s", "20s"))) {
            CompletableFuture<TurnResult> turn = sendAsync(app, "s-slow", "#dm-slow");
            awaitInFlight(app, 1);

            PackagedApp.Exit exit = app.terminate(Duration.ofSeconds(40));

            assertThat(turn.get(10, TimeUnit.SECONDS).getOutcome()).isEqualTo(TurnOutcome.TURN_OUTCOME_COMPLETED);
            assertThat(exit.code()).isZero();
            assertThat(webhook.ofKind("session_interrupted")).isEmpty();
            assertThat(webhook.ofKind("home_shutdown")).hasSize(1);
        }
    }

    @Test
    void turnLongerThanTheDrainTimeoutIsInterruptedWithTheHintAndPinged() throws Exception {
        Duration drainTimeout = Duration.ofSeconds(2);
        try (PackagedApp app = PackagedApp.start(PackagedApp.newHome(), config("60s", "2s"))) {
            CompletableFuture<TurnResult> turn = sendAsync(app, "s-long", "#dm-long");
            awaitInFlight(app, 1);

            PackagedApp.Exit exit = app.terminate(Duration.ofSeconds(40));

            TurnResult result = turn.get(10, TimeUnit.SECONDS);
            assertThat(result.getOutcome()).isEqualTo(TurnOutcome.TURN_OUTCOME_INTERRUPTED);
            // A live turn with a channel is kept in the inbox and resumes by itself (SPEC §10; ResumeIT).
            assertThat(result.getReply()).isEqualTo(ShutdownNotifier.RESUMES_BY_ITSELF_HINT);
            assertThat(exit.code()).isZero();
            assertThat(exit.took()).isLessThan(drainTimeout.plus(ShutdownSequence.INTERRUPT_FLUSH).plus(NOTIFY_BUDGET)
                    .plusSeconds(3));
            JsonNode ping = webhook.ofKind("session_interrupted").get(0);
            assertThat(ping.path("channel").asText()).isEqualTo("#dm-long");
            assertThat(ping.path("session_id").asText()).isEqualTo("s-long");
            assertThat(ping.path("text").asText()).isEqualTo(result.getReply());
            assertThat(webhook.ofKind("home_shutdown")).hasSize(1);
        }
    }

    @Test
    void activeSuppressingDrainKeepsTheSessionPingButSilencesTheBroadcast() throws Exception {
        try (PackagedApp app = PackagedApp.start(PackagedApp.newHome(), config("60s", "1s"))) {
            CompletableFuture<TurnResult> turn = sendAsync(app, "s-quiet", "#dm-quiet");
            awaitInFlight(app, 1);
            as(DrainControlGrpc.newBlockingStub(app.channel()), TestTokens.OPERATOR)
                    .beginDrain(BeginDrainRequest.newBuilder().setSuppressNotification(true).setReason("auto-update").build());

            assertThat(app.terminate(Duration.ofSeconds(40)).code()).isZero();

            assertThat(turn.get(10, TimeUnit.SECONDS).getOutcome()).isEqualTo(TurnOutcome.TURN_OUTCOME_INTERRUPTED);
            assertThat(webhook.ofKind("session_interrupted")).hasSize(1);
            assertThat(webhook.ofKind("home_shutdown")).isEmpty();
        }
    }

    @Test
    void staleEpochSuppressMarkerDoesNotSilenceTheBroadcast() throws Exception {
        Path home = PackagedApp.newHome();
        Files.writeString(home.resolve(".drain_request.json"), "{\"action\": \"drain\", \"requested_at\": \""
                + IsoTimes.format(Instant.now()) + "\", \"principal\": \"nas\", \"epoch\": \"old-boot:1\", "
                + "\"suppress_notification\": true}");
        try (PackagedApp app = PackagedApp.start(home, config("0s", "5s"))) {
            assertThat(app.terminate(Duration.ofSeconds(30)).code()).isZero();

            assertThat(webhook.ofKind("home_shutdown")).hasSize(1);
            assertThat(Files.exists(home.resolve(".drain_request.json"))).as("left for the operator").isTrue();
        }
        assertThat(TestHome.EPOCH).isNotEqualTo("old-boot:1");
    }

    @Test
    void twoShutdownsWithinTheMinIntervalBroadcastOnce() throws Exception {
        Path home = PackagedApp.newHome();
        for (int restart = 0; restart < 2; restart++) {
            try (PackagedApp app = PackagedApp.start(home, config("0s", "5s"))) {
                assertThat(app.terminate(Duration.ofSeconds(30)).code()).isZero();
            }
        }
        assertThat(webhook.ofKind("home_shutdown")).hasSize(1);
        assertThat(Files.readString(home.resolve("drain-audit.jsonl"))).contains("deduplicated");
    }

    private static CompletableFuture<TurnResult> sendAsync(PackagedApp app, String session, String channel) {
        MessageGatewayGrpc.MessageGatewayBlockingStub gateway =
                as(MessageGatewayGrpc.newBlockingStub(app.channel()), TestTokens.OPERATOR);
        return CompletableFuture.supplyAsync(() -> gateway.handleMessage(InboundMessage.newBuilder()
                .setSessionId(session).setChannel(channel).setText("a long task").build()));
    }

    private static void awaitInFlight(PackagedApp app, int count) {
        DrainControlGrpc.DrainControlBlockingStub control =
                as(DrainControlGrpc.newBlockingStub(app.channel()), TestTokens.READER);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> control.getState(GetStateRequest.getDefaultInstance()).getInFlight() == count);
    }
}
