package dev.quiesce.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.quiesce.drain.BeginDrainCommand;
import dev.quiesce.drain.DrainStateBean;
import dev.quiesce.marker.DrainMarkerStore;
import dev.quiesce.marker.MarkerJudge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.Uni;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the pipeline answers when it asks its {@link Deferral} (SPEC §9), against a real drain state and
 * an inbox the test controls: which messages are kept, which notice goes with which answer, what a
 * message behind a backlog gets in each phase, and the refusal when a save fails. (The real inbox over
 * gRPC is in {@code dev.quiesce.inbox}.)
 */
class DeferringPipelineTest {

    @TempDir
    Path home;

    private DrainStateBean state;
    private MessagePipeline pipeline;
    private final TestInbox inbox = new TestInbox();

    /** Keeps what has a channel and does not ask for refusal, unless told to fail; holds the backlogs it is given. */
    private static final class TestInbox implements Deferral {
        final Set<String> backlog = ConcurrentHashMap.newKeySet();
        final List<InboundMessage> saved = new CopyOnWriteArrayList<>();
        volatile boolean failing;

        @Override
        public boolean holdsBacklog(String sessionId) {
            return backlog.contains(sessionId);
        }

        @Override
        public boolean accepts(InboundMessage message) {
            return !message.channel().isEmpty() && message.whenPaused() != InboundMessage.WhenPaused.REFUSE;
        }

        @Override
        public Uni<Deposit> save(InboundMessage message) {
            if (failing) {
                return Uni.createFrom().item(new Deposit.NotSaved("the disk said no"));
            }
            saved.add(message);
            return Uni.createFrom().item(new Deposit.Saved("d-" + saved.size()));
        }
    }

    @BeforeEach
    void start() {
        state = new DrainStateBean(new DrainMarkerStore(home), new MarkerJudge("boot-1:1000", Duration.ofHours(1)),
                Clock.systemUTC(), Duration.ofHours(1), Duration.ofHours(24), List.of());
        state.start();
        pipeline = new MessagePipeline(state, new EchoTurnHandler(Duration.ZERO), inbox, new SimpleMeterRegistry());
    }

    private void drain() {
        state.beginDrain(new BeginDrainCommand("test", "deferring", false, Duration.ZERO));
    }

    private TurnOutcome send(InboundMessage message) {
        return pipeline.handle(message).await().atMost(Duration.ofSeconds(5));
    }

    private static InboundMessage chat(String session, String text) {
        return new InboundMessage(session, "slack:C1", text, false, "");
    }

    /** A message asking to be refused while paused. */
    private static InboundMessage refusing(String session) {
        return new InboundMessage(session, "slack:C1", "no", false, "", InboundMessage.WhenPaused.REFUSE);
    }

    @Test
    void aDrainKeepsUserMessagesWithAChannelAndTheFirstAnswerOfThePauseCarriesTheNotice() {
        drain();

        assertThat(List.of(send(chat("s", "one")), send(chat("s", "two"))))
                .extracting(TurnOutcome::kind, TurnOutcome::reply, TurnOutcome::deferredId)
                .containsExactly(tuple(TurnOutcome.Kind.DEFERRED, MessagePipeline.DEFERRED_DRAINING_REPLY, "d-1"),
                        tuple(TurnOutcome.Kind.DEFERRED, "", "d-2"));
    }

    @Test
    void aRefusalAndADeferralShareTheOneNoticeOfAPauseAndTheNextPauseNoticesAgain() {
        drain();
        TurnOutcome refused = send(refusing("s"));
        TurnOutcome deferred = send(chat("s", "yes"));
        state.cancelDrain("test", "");
        drain();
        TurnOutcome again = send(chat("s", "again"));

        assertThat(refused).extracting(TurnOutcome::kind, TurnOutcome::reply)
                .containsExactly(TurnOutcome.Kind.REFUSED_DRAINING, MessagePipeline.DRAINING_REPLY);
        assertThat(deferred).extracting(TurnOutcome::kind, TurnOutcome::reply)
                .containsExactly(TurnOutcome.Kind.DEFERRED, "");
        assertThat(again.reply()).as("a new pause").isEqualTo(MessagePipeline.DEFERRED_DRAINING_REPLY);
    }

    @Test
    void aShutdownKeepsEveryMessageInternalOnesTooWithTheRestartNotice() {
        state.enterStopping();

        TurnOutcome user = send(chat("s", "hi"));
        TurnOutcome internal = send(new InboundMessage("t", "slack:C2", "cron", true, ""));

        assertThat(List.of(user, internal)).extracting(TurnOutcome::kind, TurnOutcome::reply).containsExactly(
                tuple(TurnOutcome.Kind.DEFERRED, MessagePipeline.DEFERRED_STOPPING_REPLY),
                tuple(TurnOutcome.Kind.DEFERRED, MessagePipeline.DEFERRED_STOPPING_REPLY));
    }

    @Test
    void anInternalMessageStartsDuringADrainAndIsNotKept() {
        drain();

        assertThat(send(new InboundMessage("s", "slack:C1", "cron", true, "")).kind())
                .isEqualTo(TurnOutcome.Kind.COMPLETED);
        assertThat(inbox.saved).isEmpty();
    }

    @Test
    void aSaveThatFailsIsAnsweredWithThePhasesRefusalAndItsText() {
        drain();
        inbox.failing = true;

        TurnOutcome outcome = send(chat("s", "lost?"));

        assertThat(outcome).extracting(TurnOutcome::kind, TurnOutcome::reply, TurnOutcome::deferredId)
                .containsExactly(TurnOutcome.Kind.REFUSED_DRAINING, MessagePipeline.DRAINING_REPLY, "");
    }

    @Test
    void whileRunningAMessageBehindABacklogIsKeptBehindItAndToldSoOnce() {
        inbox.backlog.add("s");

        TurnOutcome first = send(chat("s", "later one"));
        TurnOutcome second = send(chat("s", "later two"));
        TurnOutcome other = send(chat("free", "no backlog"));

        assertThat(List.of(first, second)).extracting(TurnOutcome::kind, TurnOutcome::reply).containsExactly(
                tuple(TurnOutcome.Kind.DEFERRED, MessagePipeline.DEFERRED_BEHIND_REPLY),
                tuple(TurnOutcome.Kind.DEFERRED, ""));
        assertThat(inbox.saved).extracting(InboundMessage::text).containsExactly("later one", "later two");
        assertThat(other.kind()).isEqualTo(TurnOutcome.Kind.COMPLETED);
    }

    @Test
    void whileRunningAMessageBehindABacklogThatCannotBeKeptIsBusyNeverRunPastIt() {
        inbox.backlog.add("s");

        TurnOutcome noChannel = send(new InboundMessage("s", "", "where to?", false, ""));
        TurnOutcome refuse = send(refusing("s"));
        inbox.failing = true;
        TurnOutcome failed = send(chat("s", "disk"));

        assertThat(List.of(noChannel, refuse, failed)).extracting(TurnOutcome::kind, TurnOutcome::reply)
                .containsOnly(tuple(TurnOutcome.Kind.REFUSED_BUSY, MessagePipeline.BUSY_REPLY));
    }

    @Test
    void duringADrainAMessageBehindABacklogGetsThePausesNoticeNotTheRunningOne() {
        inbox.backlog.add("s");
        drain();

        TurnOutcome outcome = send(chat("s", "while paused"));
        TurnOutcome internal = send(new InboundMessage("s", "slack:C1", "cron", true, ""));

        assertThat(outcome).extracting(TurnOutcome::kind, TurnOutcome::reply)
                .containsExactly(TurnOutcome.Kind.DEFERRED, MessagePipeline.DEFERRED_DRAINING_REPLY);
        assertThat(internal.kind()).as("an internal message would start, but not past the backlog")
                .isEqualTo(TurnOutcome.Kind.DEFERRED);
    }
}
