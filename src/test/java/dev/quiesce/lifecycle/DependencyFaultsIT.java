package dev.quiesce.lifecycle;

import static dev.quiesce.testing.GatewayClient.message;
import static dev.quiesce.testing.GatewayClient.result;
import static dev.quiesce.testing.GatewayClient.session;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quiesce.api.v1.BeginDrainRequest;
import dev.quiesce.api.v1.CancelDrainRequest;
import dev.quiesce.api.v1.DrainState;
import dev.quiesce.api.v1.InboundMessage;
import dev.quiesce.api.v1.TurnOutcome;
import dev.quiesce.api.v1.TurnResult;
import dev.quiesce.testing.GatewayClient;
import dev.quiesce.testing.TestTokens;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Faults of what the gateway talks to (issue 8, suite 2), against the packaged application: a
 * notification webhook that is down or never answers during a shutdown (the exit still comes within
 * the budget the deployment's grace period is sized for), and an agent backend that answers its
 * headers and then hangs (each turn ends FAILED after {@code quiesce.turn.http.timeout} and its
 * in-flight slot is freed, so a drain waiting on it completes). A backend that never answers at all
 * is {@code HttpTurnHandlerTimeoutTest}'s; a webhook that stalls mid-answer is bounded by the same
 * notifier deadline as one that never answers.
 */
class DependencyFaultsIT {

    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration NOTIFY_BUDGET = Duration.ofSeconds(3);
    /** {@code quarkus.shutdown.timeout} in application.properties. */
    private static final Duration QUARKUS_SHUTDOWN_TIMEOUT = Duration.ofSeconds(3);
    /** README "The grace period": the longest a shutdown takes, which the pod's grace period must exceed. */
    private static final Duration SHUTDOWN_BUDGET = DRAIN_TIMEOUT.plus(ShutdownSequence.INTERRUPT_FLUSH)
            .plus(NOTIFY_BUDGET).plus(QUARKUS_SHUTDOWN_TIMEOUT);
    private static final Duration TURN_TIMEOUT = Duration.ofSeconds(2);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aWebhookThatRefusesConnectionsDoesNotHoldUpTheExit() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        shutDownWithAnInterruptedTurnNotifying("http://127.0.0.1:" + closedPort + "/hook");
    }

    @Test
    void aWebhookThatNeverAnswersDoesNotHoldUpTheExit() throws Exception {
        try (StallingServer webhook = new StallingServer(StallingServer.Mode.SILENT)) {
            shutDownWithAnInterruptedTurnNotifying(webhook.url("/hook"));
            assertThat(webhook.accepted()).as("the webhook was tried").isPositive();
        }
    }

    @Test
    void anAgentBackendThatStallsMidAnswerFailsItsTurnsInTimeAndFreesTheirSlots() throws Exception {
        try (StallingServer backend = new StallingServer(StallingServer.Mode.HEADERS_THEN_SILENCE)) {
            turnsOnAHangingBackendEndInTime(backend.url("/turns"));
        }
    }

    /** A turn cut off by SIGTERM, a session ping and a home broadcast to {@code webhookUrl}; the exit within budget. */
    private static void shutDownWithAnInterruptedTurnNotifying(String webhookUrl) throws Exception {
        Map<String, String> config = new HashMap<>();
        config.put("quiesce.notify.sink", "webhook");
        config.put("quiesce.notify.webhook.url", webhookUrl);
        config.put("quiesce.notify.webhook.timeout", "2s");
        config.put("quiesce.notify.webhook.attempts", "3");
        config.put("quiesce.notify.home-channel", "#gateway-ops");
        config.put("quiesce.notify.budget", NOTIFY_BUDGET.toSeconds() + "s");
        config.put("quiesce.turn.echo.delay", "60s");
        config.put("quiesce.shutdown.drain-timeout", DRAIN_TIMEOUT.toSeconds() + "s");
        try (PackagedApp app = PackagedApp.start(PackagedApp.newHome(), config, PackagedApp.FAST_START)) {
            GatewayClient gateway = new GatewayClient(app.channel());
            Future<TurnResult> turn = gateway.send(TestTokens.OPERATOR, InboundMessage.newBuilder()
                    .setSessionId(session("cut")).setChannel("#dm").setText("a long task").build());
            await().atMost(Duration.ofSeconds(10)).until(() -> gateway.state().getInFlight() == 1);

            PackagedApp.Exit exit = app.terminate(Duration.ofSeconds(60));

            assertThat(exit.code()).isZero();
            assertThat(exit.took()).isLessThan(SHUTDOWN_BUDGET);
            assertThat(result(turn).getOutcome()).isEqualTo(TurnOutcome.TURN_OUTCOME_INTERRUPTED);
            JsonNode summary = shutdownSummary(app.home);
            assertThat(summary.path("session_pings_failed").asInt()).isEqualTo(1);
            assertThat(summary.path("home_broadcast").asText()).isEqualTo("failed");
        }
    }

    /** Four turns on a backend that hangs, a drain waiting for them: all FAILED in time, slots free, drained. */
    private static void turnsOnAHangingBackendEndInTime(String backendUrl) throws Exception {
        Map<String, String> config = Map.of("quiesce.turn.handler", "http", "quiesce.turn.http.url", backendUrl,
                "quiesce.turn.http.timeout", TURN_TIMEOUT.toSeconds() + "s");
        try (PackagedApp app = PackagedApp.start(PackagedApp.newHome(), config, PackagedApp.FAST_START)) {
            GatewayClient gateway = new GatewayClient(app.channel());
            List<String> sessions = new ArrayList<>();
            List<Future<TurnResult>> turns = new ArrayList<>();
            long sent = System.nanoTime();
            for (int i = 0; i < 4; i++) {
                sessions.add(session("hang"));
                turns.add(gateway.send(TestTokens.INGESTER, message(sessions.get(i), "hello")));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> gateway.state().getInFlight() == 4);
            DrainState draining = gateway.control().beginDrain(BeginDrainRequest.newBuilder()
                    .setReason("waits for hung turns").build());

            for (Future<TurnResult> turn : turns) {
                TurnResult failed = result(turn);
                assertThat(failed.getOutcome()).isEqualTo(TurnOutcome.TURN_OUTCOME_FAILED);
                assertThat(failed.getReply()).contains("did not answer within " + TURN_TIMEOUT.toSeconds() + "s");
            }
            Duration took = Duration.ofNanos(System.nanoTime() - sent);

            assertThat(took).as("every turn bounded by the backend timeout").isLessThan(TURN_TIMEOUT.plusSeconds(5));
            assertThat(draining.getDrained()).as("the drain waited for the hung turns").isFalse();
            await().atMost(Duration.ofSeconds(5)).until(() -> gateway.state().getDrained());
            assertThat(gateway.state().getInFlight()).isZero();
            gateway.control().cancelDrain(CancelDrainRequest.getDefaultInstance());
            assertThat(gateway.handle(TestTokens.INGESTER, message(sessions.get(0), "again")).getOutcome())
                    .as("the session is free again (not BUSY)").isEqualTo(TurnOutcome.TURN_OUTCOME_FAILED);
        }
    }

    private static JsonNode shutdownSummary(Path home) throws IOException {
        List<String> lines = Files.readAllLines(home.resolve("drain-audit.jsonl"));
        for (String line : lines) {
            JsonNode entry = JSON.readTree(line);
            if ("shutdown_summary".equals(entry.path("event").asText())) {
                return entry;
            }
        }
        throw new AssertionError("no shutdown_summary in the audit log: " + lines);
    }
}
