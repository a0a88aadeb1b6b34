package dev.quiesce.lifecycle;

import static dev.quiesce.testing.GrpcAuth.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quiesce.api.v1.BeginDrainRequest;
import dev.quiesce.api.v1.DrainControlGrpc;
import dev.quiesce.api.v1.DrainState;
import dev.quiesce.api.v1.GetStateRequest;
import dev.quiesce.api.v1.InboundMessage;
import dev.quiesce.api.v1.InboxEntry;
import dev.quiesce.api.v1.ListInboxRequest;
import dev.quiesce.api.v1.MessageGatewayGrpc;
import dev.quiesce.api.v1.Phase;
import dev.quiesce.api.v1.TurnOutcome;
import dev.quiesce.api.v1.TurnResult;
import dev.quiesce.inbox.Replayer;
import dev.quiesce.pipeline.MessagePipeline;
import dev.quiesce.notify.ShutdownNotifier;
import dev.quiesce.testing.AgentBackend;
import dev.quiesce.testing.TestTokens;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * SPEC §10 against the packaged application: a turn a shutdown cuts off is recorded in the inbox
 * before the drain-timeout wait and runs again by itself after the restart (with {@code resumed} for
 * the agent backend, its answer as one {@code deferred_reply}); a message that arrives while stopping
 * is kept and answered after the restart. The restart is a new pod: a new boot id in the fake
 * {@code /proc}, so a drain's marker of the old instantiation is ignored and the new one runs. A real
 * agent backend (held requests) and a real webhook receiver.
 */
class ResumeIT {

    private static final Duration EXIT = Duration.ofSeconds(40);

    private WebhookRecorder webhook;
    private AgentBackend backend;

    @BeforeEach
    void start() throws IOException {
        webhook = new WebhookRecorder();
        backend = AgentBackend.start();
    }

    @AfterEach
    void stop() {
        backend.releaseAll();
        backend.close();
        webhook.close();
    }

    private Map<String, String> config(String drainTimeout) {
        Map<String, String> config = new HashMap<>();
        config.put("quiesce.notify.sink", "webhook");
        config.put("quiesce.notify.webhook.url", webhook.url());
        config.put("quiesce.notify.budget", "5s");
        config.put("quiesce.turn.handler", "http");
        config.put("quiesce.turn.http.url", backend.url());
        config.put("quiesce.turn.http.timeout", "5m");
        config.put("quiesce.shutdown.drain-timeout", drainTimeout);
        return config;
    }

    @Test
    void aTurnCutOffByAShutdownRunsAgainAfterTheRestartAndItsAnswerArrivesOnce() throws Exception {
        Path home = PackagedApp.newHome();
        CompletableFuture<TurnResult> turn;
        try (PackagedApp app = PackagedApp.start(home, config("1s"))) {
            turn = send(app, "s-cut", "#dm-cut", "msg-cut", "summarise the report");
            backend.awaitRequest("s-cut");
            // A rollout drains first: the marker stays behind, and the new pod must not keep it.
            control(app).beginDrain(BeginDrainRequest.newBuilder().setReason("rollout").build());

            assertThat(app.terminate(EXIT).code()).isZero();
        }
        TurnResult cut = turn.get(10, TimeUnit.SECONDS);
        assertThat(cut.getOutcome()).isEqualTo(TurnOutcome.TURN_OUTCOME_INTERRUPTED);
        assertThat(cut.getReply()).isEqualTo(ShutdownNotifier.RESUMES_BY_ITSELF_HINT);
        assertThat(webhook.ofKind("session_interrupted")).singleElement()
                .satisfies(ping -> assertThat(ping.path("text").asText()).isEqualTo(ShutdownNotifier.RESUMES_BY_ITSELF_HINT));
        assertThat(Files.readString(home.resolve("drain-audit.jsonl"))).contains("\"inbox_resume\"")
                .doesNotContain("summarise the report");

        newPod(home);
        try (PackagedApp app = PackagedApp.start(home, config("1s"))) {
            AgentBackend.Request again = awaitRequest("s-cut", 2);
            JsonObject body = again.body();
            assertThat(body.getBoolean("resumed")).isTrue();
            assertThat(body.getBoolean("replay")).isTrue();
            assertThat(body.getString("text")).isEqualTo("summarise the report");
            assertThat(body.getString("message_id")).isEqualTo("msg-cut");
            String deferredId = body.getString("deferred_id");
            assertThat(deferredId).startsWith("m-");
            again.reply("here is the summary");

            JsonNode reply = awaitDelivered("s-cut");
            assertThat(reply.path("channel").asText()).isEqualTo("#dm-cut");
            assertThat(reply.path("text").asText()).isEqualTo("here is the summary");
            assertThat(reply.path("deferred_id").asText()).isEqualTo(deferredId);
            assertThat(reply.path("message_id").asText()).isEqualTo("msg-cut");
            awaitInboxEmpty(app);
            assertThat(state(app).getPhase()).as("the old pod's marker is not this one's").isEqualTo(Phase.PHASE_RUNNING);
            assertThat(webhook.ofKind("deferred_reply")).hasSize(1);
            assertThat(backend.requests("s-cut")).hasSize(2);
        }
    }

    @Test
    void aMessageWhileStoppingIsKeptAndAnsweredAfterTheRestartAndATurnThatEndsInTheWaitIsNotResumed()
            throws Exception {
        Path home = PackagedApp.newHome();
        CompletableFuture<TurnResult> held;
        TurnResult late;
        try (PackagedApp app = PackagedApp.start(home, config("30s"))) {
            held = send(app, "s-held", "#dm-held", "msg-held", "a slow task");
            AgentBackend.Request slow = backend.awaitRequest("s-held");
            app.sendTerm();
            awaitPhase(app, Phase.PHASE_STOPPING);
            await().atMost(Duration.ofSeconds(10)).until(() -> listInbox(app).size() == 1);

            late = send(app, "s-late", "#dm-late", "msg-late", "are you there?").get(10, TimeUnit.SECONDS);
            // The slow turn ends within the wait: its caller has its answer, and its resume entry goes.
            slow.reply("done in time");
            assertThat(held.get(10, TimeUnit.SECONDS).getOutcome()).isEqualTo(TurnOutcome.TURN_OUTCOME_COMPLETED);
            assertThat(app.awaitExit(EXIT).code()).isZero();
        }
        assertThat(late.getOutcome()).isEqualTo(TurnOutcome.TURN_OUTCOME_DEFERRED);
        assertThat(late.getReply()).isEqualTo(MessagePipeline.DEFERRED_STOPPING_REPLY);
        assertThat(late.getDeferredId()).startsWith("m-");
        assertThat(webhook.ofKind("session_interrupted")).isEmpty();

        newPod(home);
        try (PackagedApp app = PackagedApp.start(home, config("1s"))) {
            AgentBackend.Request kept = backend.awaitRequest("s-late");
            assertThat(kept.body().getString("deferred_id")).isEqualTo(late.getDeferredId());
            assertThat(kept.body().containsKey("resumed")).as("a saved message, not a cut-off turn").isFalse();
            kept.reply("yes, back now");

            assertThat(awaitDelivered("s-late").path("text").asText()).isEqualTo("yes, back now");
            awaitInboxEmpty(app);
            assertThat(backend.requests("s-held")).as("ended within the wait: not run again").hasSize(1);
            assertThat(webhook.ofKind("deferred_reply")).hasSize(1);
        }
    }

    @Test
    void aSigkillDuringTheWaitLeavesTheRecordAndTheTurnStillResumes() throws Exception {
        Path home = PackagedApp.newHome();
        try (PackagedApp app = PackagedApp.start(home, config("60s"))) {
            send(app, "s-killed", "#dm-killed", "msg-killed", "plan my week");
            backend.awaitRequest("s-killed");
            app.sendTerm();
            awaitPhase(app, Phase.PHASE_STOPPING);
            // Recorded before the wait: on disk while the shutdown still waits for the turn.
            await().atMost(Duration.ofSeconds(10)).until(() -> listInbox(app).stream()
                    .anyMatch(e -> e.getSessionId().equals("s-killed") && e.getKind().equals("resume")));

            app.kill();
        }

        newPod(home);
        try (PackagedApp app = PackagedApp.start(home, config("1s"))) {
            AgentBackend.Request again = awaitRequest("s-killed", 2);
            assertThat(again.body().getBoolean("resumed")).isTrue();
            again.reply("your week, planned");

            assertThat(awaitDelivered("s-killed").path("text").asText()).isEqualTo("your week, planned");
            awaitInboxEmpty(app);
            assertThat(webhook.ofKind("deferred_reply")).hasSize(1);
        }
    }

    @Test
    void withResumeOffACutOffTurnIsToldToWriteAgainAndIsNotRunAgain() throws Exception {
        Path home = PackagedApp.newHome();
        Map<String, String> off = config("1s");
        off.put("quiesce.inbox.resume", "false");
        CompletableFuture<TurnResult> turn;
        try (PackagedApp app = PackagedApp.start(home, off)) {
            turn = send(app, "s-off", "#dm-off", "msg-off", "a long task");
            backend.awaitRequest("s-off");
            assertThat(app.terminate(EXIT).code()).isZero();
        }
        TurnResult cut = turn.get(10, TimeUnit.SECONDS);
        assertThat(cut.getOutcome()).isEqualTo(TurnOutcome.TURN_OUTCOME_INTERRUPTED);
        assertThat(cut.getReply()).isEqualTo(ShutdownNotifier.RESUME_HINT);
        assertThat(webhook.ofKind("session_interrupted")).singleElement()
                .satisfies(ping -> assertThat(ping.path("text").asText()).isEqualTo(ShutdownNotifier.RESUME_HINT));

        newPod(home);
        try (PackagedApp app = PackagedApp.start(home, off)) {
            // Nothing was recorded, so there is nothing to run: the inbox is empty from the start.
            assertThat(listInbox(app)).isEmpty();
            assertThat(state(app).getInbox().getWaiting()).isZero();
            assertThat(backend.requests("s-off")).hasSize(1);
        }
    }

    @Test
    void aResumeEntryPastItsMaxAgeGetsTheExpiryNoticeAndDoesNotRun() throws Exception {
        Path home = PackagedApp.newHome();
        try (PackagedApp app = PackagedApp.start(home, config("1s"))) {
            send(app, "s-old", "#dm-old", "msg-old", "an old task");
            backend.awaitRequest("s-old");
            assertThat(app.terminate(EXIT).code()).isZero();
        }

        newPod(home);
        Map<String, String> shortLived = config("1s");
        shortLived.put("quiesce.inbox.resume-max-age", "1ms");
        try (PackagedApp app = PackagedApp.start(home, shortLived)) {
            JsonNode notice = await().atMost(Duration.ofSeconds(15))
                    .until(() -> webhook.ofKind("deferred_expired"), list -> !list.isEmpty()).get(0);
            assertThat(notice.path("session_id").asText()).isEqualTo("s-old");
            assertThat(notice.path("channel").asText()).isEqualTo("#dm-old");
            assertThat(notice.path("text").asText()).isEqualTo(Replayer.RESUME_EXPIRED_TEXT);
            awaitInboxEmpty(app);
            assertThat(backend.requests("s-old")).as("too old: not run again").hasSize(1);
            assertThat(webhook.ofKind("deferred_reply")).isEmpty();
        }
    }

    // ------------------------------------------------------------------------------- helpers

    /** The next start is a new pod: another boot id, so another instantiation epoch. */
    private static void newPod(Path home) throws IOException {
        Files.writeString(home.resolveSibling("proc").resolve("sys/kernel/random/boot_id"), UUID.randomUUID() + "\n");
    }

    private static CompletableFuture<TurnResult> send(PackagedApp app, String session, String channel,
            String messageId, String text) {
        MessageGatewayGrpc.MessageGatewayBlockingStub gateway =
                as(MessageGatewayGrpc.newBlockingStub(app.channel()), TestTokens.OPERATOR);
        return CompletableFuture.supplyAsync(() -> gateway.withDeadlineAfter(60, TimeUnit.SECONDS)
                .handleMessage(InboundMessage.newBuilder().setSessionId(session).setChannel(channel)
                        .setMessageId(messageId).setText(text).build()));
    }

    private AgentBackend.Request awaitRequest(String session, int count) {
        return await().atMost(Duration.ofSeconds(20)).until(() -> backend.requests(session), r -> r.size() >= count)
                .get(count - 1);
    }

    private JsonNode awaitDelivered(String session) {
        return await().atMost(Duration.ofSeconds(20)).until(() -> webhook.ofKind("deferred_reply").stream()
                .filter(n -> n.path("session_id").asText().equals(session)).toList(), list -> !list.isEmpty()).get(0);
    }

    private static DrainControlGrpc.DrainControlBlockingStub control(PackagedApp app) {
        return as(DrainControlGrpc.newBlockingStub(app.channel()), TestTokens.OPERATOR)
                .withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    private static DrainState state(PackagedApp app) {
        return control(app).getState(GetStateRequest.getDefaultInstance());
    }

    private static List<InboxEntry> listInbox(PackagedApp app) {
        return control(app).listInbox(ListInboxRequest.newBuilder().setPageSize(100).build()).getEntriesList();
    }

    private static void awaitPhase(PackagedApp app, Phase phase) {
        await().atMost(Duration.ofSeconds(10)).until(() -> state(app).getPhase() == phase);
    }

    private static void awaitInboxEmpty(PackagedApp app) {
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            DrainState state = state(app);
            return state.getInbox().getWaiting() == 0 && !state.getInbox().getReplaying();
        });
    }
}
