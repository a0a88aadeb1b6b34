package dev.quiesce.inbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quiesce.drain.DrainStateBean;
import dev.quiesce.home.QuiesceHome;
import dev.quiesce.notify.ShutdownNotifier;
import dev.quiesce.pipeline.InboundMessage;
import dev.quiesce.pipeline.MessagePipeline;
import dev.quiesce.pipeline.TurnOutcome;
import dev.quiesce.testing.AgentBackend;
import dev.quiesce.testing.AgentBackendProfile;
import dev.quiesce.testing.InjectAgentBackend;
import io.grpc.Channel;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The record a shutdown makes of its running turns (SPEC §10), driven on the running app without
 * stopping it: which turns get a {@code resume} entry, which entries go again and which stay, and that
 * a kept one runs again by itself with {@code resumed} once the gateway runs. Real SQLite, a real agent
 * backend holding the turns.
 */
@QuarkusTest
@TestProfile(AgentBackendProfile.class)
class ResumeRecordTest {

    @InjectAgentBackend
    AgentBackend backend;

    @Inject
    Inbox inbox;

    @Inject
    MessagePipeline pipeline;

    @Inject
    DrainStateBean state;

    @Inject
    QuiesceHome home;

    @GrpcClient("gateway")
    Channel channel;

    @AfterEach
    void releaseEverything() {
        driver().cancel();
        backend.releaseAll();
        await().until(() -> pipeline.runningCount() == 0 && state.current().inbox().waiting() == 0);
    }

    @Test
    void runningUserTurnsWithAChannelAreRecordedAndOnlyTheOnesThatEndWithAnAnswerGoAgain() {
        CompletableFuture<TurnOutcome> answered = start("rr-answered", "slack:D1", false, "msg-1", "first question");
        CompletableFuture<TurnOutcome> cut = start("rr-cut", "slack:D2", false, "msg-2", "second question");
        start("rr-no-channel", "", false, "msg-3", "no place for an answer");
        start("rr-internal", "slack:D4", true, "msg-4", "a system event");
        AgentBackend.Request answeredRequest = backend.awaitRequest("rr-answered");
        backend.awaitRequest("rr-cut");
        backend.awaitRequest("rr-no-channel");
        backend.awaitRequest("rr-internal");
        // Paused, as in a shutdown: nothing saved runs until the drain is cancelled.
        driver().drain();

        ResumeRecord record = inbox.recordResumes(pipeline.running());

        assertThat(record.size()).as("the user turns with a channel").isEqualTo(2);
        List<InboxEntry> entries = inbox.page(0, 100).await().atMost(Duration.ofSeconds(5));
        assertThat(entries).extracting(InboxEntry::sessionId, InboxEntry::kind, InboxEntry::channel,
                InboxEntry::messageId, InboxEntry::text).containsExactlyInAnyOrder(
                org.assertj.core.api.Assertions.tuple("rr-answered", InboxEntry.Kind.RESUME, "slack:D1", "msg-1",
                        "first question"),
                org.assertj.core.api.Assertions.tuple("rr-cut", InboxEntry.Kind.RESUME, "slack:D2", "msg-2",
                        "second question"));
        assertThat(state.current().inbox().waiting()).isEqualTo(2);

        // A turn that ends with an answer removes its entry: it needs no resuming.
        answeredRequest.reply("an answer in time");
        assertThat(answered.join().kind()).isEqualTo(TurnOutcome.Kind.COMPLETED);
        await().until(() -> inbox.page(0, 100).await().atMost(Duration.ofSeconds(5)).stream()
                .noneMatch(e -> e.sessionId().equals("rr-answered")));

        // One the shutdown cuts off keeps it, and runs again by itself, resumed, once the gateway runs.
        pipeline.interruptAll(ShutdownNotifier.RESUMES_BY_ITSELF_HINT);
        assertThat(cut.join().kind()).isEqualTo(TurnOutcome.Kind.INTERRUPTED);
        assertThat(inbox.page(0, 100).await().atMost(Duration.ofSeconds(5))).extracting(InboxEntry::sessionId)
                .containsExactly("rr-cut");
        driver().cancel();
        AgentBackend.Request again = await().until(() -> backend.requests("rr-cut"), r -> r.size() == 2).get(1);
        assertThat(again.body().getBoolean("resumed")).isTrue();
        assertThat(again.body().getString("text")).isEqualTo("second question");
        again.reply("the resumed answer");
        await().until(() -> state.current().inbox().waiting() == 0);

        assertThat(backend.requests("rr-answered")).hasSize(1);
        assertThat(auditOutcomes("rr-answered")).containsExactly("recorded", "discarded");
        assertThat(auditOutcomes("rr-cut")).containsExactly("recorded", "delivered");
    }

    @Test
    void aRecordWithNothingToResumeIsEmptyAndStoresNothing() {
        start("rr-lonely-internal", "slack:D5", true, "", "a system event");
        backend.awaitRequest("rr-lonely-internal");

        assertThat(inbox.recordResumes(pipeline.running())).isSameAs(ResumeRecord.NONE);
        assertThat(state.current().inbox().waiting()).isZero();
    }

    private InboxDriver driver() {
        return new InboxDriver(channel, state, home);
    }

    private CompletableFuture<TurnOutcome> start(String session, String channel, boolean internal, String messageId,
            String text) {
        return pipeline.handle(new InboundMessage(session, channel, text, internal, messageId)).subscribeAsCompletionStage();
    }

    /** The outcomes of the inbox audit lines about {@code session}, oldest first. */
    private List<String> auditOutcomes(String session) {
        return driver().auditLines(session).stream()
                .filter(line -> line.path("event").asText().startsWith("inbox_"))
                .map(line -> line.path("outcome").asText()).toList();
    }
}
