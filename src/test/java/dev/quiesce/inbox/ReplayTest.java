package dev.quiesce.inbox;

import com.fasterxml.jackson.databind.JsonNode;
import static dev.quiesce.inbox.Chats.chat;
import static dev.quiesce.inbox.Chats.listed;
import static dev.quiesce.inbox.Chats.listedIds;
import static dev.quiesce.testing.GatewayClient.result;
import static dev.quiesce.testing.GatewayClient.session;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import dev.quiesce.api.v1.DrainState;
import dev.quiesce.api.v1.TurnOutcome;
import dev.quiesce.api.v1.TurnResult;
import dev.quiesce.drain.DrainAuditLog;
import dev.quiesce.drain.DrainStateBean;
import dev.quiesce.drain.Phase;
import dev.quiesce.home.QuiesceHome;
import dev.quiesce.notify.WebhookSink;
import dev.quiesce.pipeline.MessagePipeline;
import dev.quiesce.testing.AgentBackend;
import dev.quiesce.testing.AgentBackendResource;
import dev.quiesce.testing.GatewayClient;
import dev.quiesce.testing.InjectAgentBackend;
import dev.quiesce.testing.InjectWebhookReceiver;
import dev.quiesce.testing.LogRecorder;
import dev.quiesce.testing.Metrics;
import dev.quiesce.testing.StateWatch;
import dev.quiesce.testing.TestHome;
import dev.quiesce.testing.TestTokens;
import dev.quiesce.testing.WebhookReceiver;
import dev.quiesce.testing.WebhookReceiverResource;
import io.grpc.Channel;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Saved messages run when the gateway runs again (SPEC §9 Replay and Order), end to end: a real gRPC
 * channel, a real inbox.db, turns held by a real agent backend until the test answers them, and their
 * answers arriving at a real webhook. Replays run two at once here.
 */
@QuarkusTest
@TestProfile(ReplayTest.Profile.class)
class ReplayTest {

    /** Turns on an {@link AgentBackend}, notifications to a {@link WebhookReceiver}, two replays at once. */
    public static class Profile implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(TestHome.class), new TestResourceEntry(AgentBackendResource.class),
                    new TestResourceEntry(WebhookReceiverResource.class));
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quiesce.turn.http.timeout", "30s", "quiesce.inbox.replay-concurrency", "2");
        }
    }

    @InjectAgentBackend
    AgentBackend backend;

    @InjectWebhookReceiver
    WebhookReceiver webhook;

    @GrpcClient("gateway")
    Channel channel;

    @Inject
    DrainStateBean state;

    @Inject
    QuiesceHome home;

    private InboxDriver inbox;
    private GatewayClient gateway;

    @BeforeEach
    void connect() {
        inbox = new InboxDriver(channel, state, home);
        gateway = inbox.gateway();
    }

    @AfterEach
    void everythingAnswered() {
        inbox.cancel();
        await().until(() -> {
            backend.releaseAll();
            return state.current().inbox().waiting() == 0 && state.current().inFlightCount() == 0;
        });
    }

    private void drain() {
        inbox.drain();
    }

    private void cancel() {
        inbox.cancel();
    }

    private TurnResult send(dev.quiesce.api.v1.InboundMessage message) {
        return inbox.send(message);
    }

    private String deferred(dev.quiesce.api.v1.InboundMessage message) {
        return inbox.deferred(message);
    }

    @Test
    void aReplayedAnswerReachesTheChannelAsADeferredReplyWithItsIdsAndThenTheEntryIsGone() {
        String s = session("replayed");
        drain();
        String id = deferred(chat(s, "will it rain tomorrow?", "slack-ts-1"));
        double delivered = Metrics.value("quiesce_inbox_replayed_total", "outcome", "delivered");

        try (StateWatch watch = StateWatch.open(channel, TestTokens.READER)) {
            cancel();
            AgentBackend.Request request = backend.awaitRequest(s);
            assertThat(request.body().getBoolean("replay")).isTrue();
            assertThat(request.body().getString("deferred_id")).isEqualTo(id);
            assertThat(request.body().getString("text")).isEqualTo("will it rain tomorrow?");
            assertThat(request.body().getString("message_id")).isEqualTo("slack-ts-1");
            assertThat(request.body().getString("channel")).isEqualTo(Chats.channel(s));
            assertThat(listed(channel, s)).singleElement().satisfies(entry -> {
                assertThat(entry.getDeferredId()).isEqualTo(id);
                assertThat(entry.getAttempts()).as("one replay started").isEqualTo(1);
            });
            DrainState replaying = watch.awaitState(st -> st.getInbox().getReplaying());
            assertThat(gateway.state().getInFlight()).as("a replayed turn is a turn in flight").isEqualTo(1);

            request.reply("Yes, take an umbrella.");

            WebhookReceiver.Delivery reply = webhook.awaitDelivered("deferred_reply", s, 1).get(0);
            assertThat(reply.body().properties()).extracting(Map.Entry::getKey)
                    .containsExactlyInAnyOrder("kind", "channel", "session_id", "text", "message_id", "deferred_id");
            assertThat(reply.body().path("channel").asText()).isEqualTo(Chats.channel(s));
            assertThat(reply.text()).isEqualTo("Yes, take an umbrella.");
            assertThat(reply.body().path("message_id").asText()).isEqualTo("slack-ts-1");
            assertThat(reply.deferredId()).isEqualTo(id);
            await().until(() -> listed(channel, s).isEmpty());
            watch.awaitState(st -> st.getVersion() > replaying.getVersion() && !st.getInbox().getReplaying());
        }
        assertThat(Metrics.value("quiesce_inbox_replayed_total", "outcome", "delivered")).isEqualTo(delivered + 1);
        assertThat(backend.requests(s)).as("run once").hasSize(1);
    }

    @Test
    void eachSessionsAnswersArriveInTheOrderItsMessagesWereSentWithOneTurnPerSessionAndTwoAtOnce() {
        List<String> sessions = List.of(session("order-a"), session("order-b"), session("order-c"));
        Map<String, List<String>> ids = new LinkedHashMap<>();
        drain();
        for (int i = 1; i <= 3; i++) {
            for (String s : sessions) {
                ids.computeIfAbsent(s, k -> new ArrayList<>()).add(deferred(chat(s, s + " message " + i)));
            }
        }

        cancel();
        await().until(() -> held(sessions).size() == 2);
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            held(sessions).forEach(r -> r.reply("answer to " + r.body().getString("text")));
            return sessions.stream().allMatch(s -> webhook.delivered("deferred_reply", s).size() == 3);
        });

        for (String s : sessions) {
            List<WebhookReceiver.Delivery> replies = webhook.delivered("deferred_reply", s);
            assertThat(replies).extracting(WebhookReceiver.Delivery::text).as(s).containsExactly(
                    "answer to " + s + " message 1", "answer to " + s + " message 2", "answer to " + s + " message 3");
            assertThat(replies).extracting(WebhookReceiver.Delivery::deferredId).containsExactlyElementsOf(ids.get(s));
            List<AgentBackend.Request> turns = backend.requests(s);
            assertThat(turns).extracting(r -> r.body().getString("deferred_id")).containsExactlyElementsOf(ids.get(s));
            for (int i = 1; i < turns.size(); i++) {
                assertThat(turns.get(i).arrivedNanos()).as("%s's turn %d starts after answer %d arrived", s, i + 1, i)
                        .isGreaterThan(replies.get(i - 1).arrivedNanos());
            }
        }
        assertThat(sessions.stream().flatMap(s -> backend.requests(s).stream()))
                .allSatisfy(r -> assertThat(r.heldAtArrival()).as("turns on the backend at once")
                        .isLessThanOrEqualTo(2));
    }

    private List<AgentBackend.Request> held(List<String> sessions) {
        return sessions.stream().flatMap(s -> backend.requests(s).stream()).filter(AgentBackend.Request::held).toList();
    }

    @Test
    void aMessageSentWhileItsSessionsSavedOnesReplayIsSavedBehindThemNeverRunPastThem() {
        String s = session("behind");
        drain();
        String first = deferred(chat(s, "first, sent during the drain"));
        cancel();
        AgentBackend.Request replayOfFirst = backend.awaitRequest(s);
        assertThat(state.current().phase()).isEqualTo(Phase.RUNNING);

        TurnResult second = send(chat(s, "second, sent while running"));
        TurnResult third = send(chat(s, "third"));

        assertThat(second.getOutcome()).isEqualTo(TurnOutcome.TURN_OUTCOME_DEFERRED);
        assertThat(second.getReply()).isEqualTo(MessagePipeline.DEFERRED_BEHIND_REPLY);
        assertThat(third.getOutcome()).isEqualTo(TurnOutcome.TURN_OUTCOME_DEFERRED);
        assertThat(third.getReply()).as("told once").isEmpty();
        replayOfFirst.reply("answer 1");
        await().until(() -> backend.requests(s).size() == 2);
        backend.requests(s).get(1).reply("answer 2");
        await().until(() -> backend.requests(s).size() == 3);
        backend.requests(s).get(2).reply("answer 3");

        assertThat(webhook.awaitDelivered("deferred_reply", s, 3)).extracting(WebhookReceiver.Delivery::text)
                .containsExactly("answer 1", "answer 2", "answer 3");
        assertThat(backend.requests(s)).extracting(r -> r.body().getString("deferred_id"))
                .containsExactly(first, second.getDeferredId(), third.getDeferredId());
        assertThat(backend.requests(s)).as("none ran live")
                .allSatisfy(r -> assertThat(r.body().getBoolean("replay")).isTrue());
    }

    @Test
    void aNewDrainStopsTheReplayWhatHasNotStartedStaysSavedAndItsCancelResumesIt() {
        String s = session("stopped");
        drain();
        List<String> ids = List.of(deferred(chat(s, "one")), deferred(chat(s, "two")), deferred(chat(s, "three")));
        cancel();
        AgentBackend.Request one = backend.awaitRequest(s);

        drain();
        assertThat(state.current().drained()).as("the replayed turn holds the drain").isFalse();
        one.reply("answer one");

        webhook.awaitDelivered("deferred_reply", s, 1);
        await().until(() -> state.current().inbox().waiting() == 2 && !state.current().inbox().replaying());
        assertThat(backend.requests(s)).as("nothing more started").hasSize(1);
        assertThat(listedIds(channel, s)).containsExactlyElementsOf(ids.subList(1, 3));
        assertThat(state.current().drained()).isTrue();

        cancel();
        backend.awaitRequest(s);
        await().until(() -> backend.requests(s).size() == 2);
        backend.requests(s).get(1).reply("answer two");
        await().until(() -> backend.requests(s).size() == 3);
        backend.requests(s).get(2).reply("answer three");
        assertThat(webhook.awaitDelivered("deferred_reply", s, 3)).extracting(WebhookReceiver.Delivery::deferredId)
                .containsExactlyElementsOf(ids);
    }

    @Test
    void anAnswerWhoseDeliveryFinallyFailsStillRemovesItsEntryAndIsCounted() {
        String s = session("undeliverable");
        webhook.failFor(s);
        drain();
        String id = deferred(chat(s, "hello?"));
        double failed = Metrics.value("quiesce_inbox_replayed_total", "outcome", "delivery_failed");

        try (LogRecorder log = LogRecorder.expecting(WebhookSink.class)) {
            cancel();
            backend.awaitRequest(s).reply("an answer nobody will see");

            await().until(() -> listed(channel, s).isEmpty());
            assertThat(log.messages(Level.WARNING)).singleElement().asString().contains("deferred_reply")
                    .contains(s).contains("3 attempts failed").doesNotContain("an answer nobody will see");
        }
        assertThat(Metrics.value("quiesce_inbox_replayed_total", "outcome", "delivery_failed")).isEqualTo(failed + 1);
        assertThat(webhook.attempts(s)).as("the sink's attempts, all answered 500").hasSize(3)
                .allSatisfy(d -> assertThat(d.status()).isEqualTo(500))
                .allSatisfy(d -> assertThat(d.deferredId()).isEqualTo(id));
        assertThat(backend.requests(s)).as("not run again").hasSize(1);
    }

    @Test
    void aRetryOfAMessageAnsweredWithinTheDedupWindowGetsTheFirstIdAndIsNotStored() {
        String s = session("retried");
        drain();
        String id = deferred(chat(s, "hello", "slack-ts-9"));
        cancel();
        backend.awaitRequest(s).reply("hi");
        webhook.awaitDelivered("deferred_reply", s, 1);
        await().until(() -> listed(channel, s).isEmpty());

        drain();
        int waiting = state.current().inbox().waiting();
        TurnResult retry = send(chat(s, "hello", "slack-ts-9"));

        assertThat(retry.getOutcome()).isEqualTo(TurnOutcome.TURN_OUTCOME_DEFERRED);
        assertThat(retry.getDeferredId()).isEqualTo(id);
        assertThat(listed(channel, s)).isEmpty();
        assertThat(state.current().inbox().waiting()).isEqualTo(waiting);
    }

    @Test
    void theAuditLogHasABatchedLineForTheSavesAndOneLinePerReplayWithIdsAndNoTextAnywhereInItOrTheLog()
            throws IOException {
        String s = session("audited");
        String lost = session("audited-lost");
        webhook.failFor(lost);
        Path audit = home.resolveFile(DrainAuditLog.FILE_NAME);
        List<String> texts = List.of("my-secret-question-1", "my-secret-question-2", "my-secret-question-3",
                "the-secret-answer");
        try (LogRecorder log = LogRecorder.of(""); LogRecorder sinkLog = LogRecorder.expecting(WebhookSink.class)) {
            drain();
            String first = deferred(chat(s, texts.get(0)));
            String second = deferred(chat(s, texts.get(1)));
            String third = deferred(chat(lost, texts.get(2)));
            cancel();
            await().until(() -> {
                held(List.of(s, lost)).forEach(r -> r.reply(texts.get(3)));
                return state.current().inbox().waiting() == 0 && state.current().inFlightCount() == 0;
            });
            await().until(() -> inbox.auditLines(s).stream()
                    .anyMatch(l -> l.path("event").asText().equals("inbox_deferred")));

            assertThat(inbox.auditLines(s)).extracting(l -> l.path("event").asText(),
                    l -> l.path("deferred_id").asText(), l -> l.path("count").asInt(), l -> l.path("outcome").asText())
                    .contains(
                            tuple("inbox_replayed", first, 1, "delivered"),
                            tuple("inbox_replayed", second, 1, "delivered"));
            // One line for both saves, or two when a poll tick wrote the batch between them.
            List<JsonNode> deferredLines = inbox.auditLines(s).stream()
                    .filter(l -> l.path("event").asText().equals("inbox_deferred")).toList();
            assertThat(deferredLines).hasSizeBetween(1, 2)
                    .allSatisfy(l -> assertThat(l.path("outcome").asText()).isEqualTo("saved"));
            assertThat(deferredLines.stream().mapToInt(l -> l.path("count").asInt()).sum()).isEqualTo(2);
            assertThat(deferredLines.get(0).path("deferred_id").asText()).isEqualTo(first);
            assertThat(deferredLines.get(deferredLines.size() - 1).path("last_deferred_id").asText()).isEqualTo(second);
            assertThat(inbox.auditLines(lost))
                    .extracting(l -> l.path("event").asText(), l -> l.path("outcome").asText())
                    .contains(tuple("inbox_replayed", "delivery_failed"));
            assertThat(third).isNotEmpty();
            String everything = Files.readString(audit) + String.join("\n", log.all())
                    + String.join("\n", sinkLog.all());
            assertThat(texts).allSatisfy(text -> assertThat(everything).doesNotContain(text));
            assertThat(sinkLog.messages(Level.WARNING)).as("the failed delivery was logged")
                    .anyMatch(l -> l.contains(lost));
        }
    }

    @Test
    void whileRunningASecondMessageOfABusySessionIsStillRefusedBusyNotSaved() {
        String s = session("busy");
        Future<TurnResult> first = gateway.send(TestTokens.INGESTER, chat(s, "a long question"));
        AgentBackend.Request request = backend.awaitRequest(s);

        TurnResult second = send(chat(s, "and another"));

        assertThat(second.getOutcome()).isEqualTo(TurnOutcome.TURN_OUTCOME_REFUSED_BUSY);
        assertThat(second.getDeferredId()).isEmpty();
        assertThat(listed(channel, s)).isEmpty();
        request.reply("done");
        assertThat(result(first).getOutcome()).isEqualTo(TurnOutcome.TURN_OUTCOME_COMPLETED);
    }
}
