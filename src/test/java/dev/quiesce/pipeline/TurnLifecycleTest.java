package dev.quiesce.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.quiesce.drain.DrainStateBean;
import dev.quiesce.marker.DrainMarkerStore;
import dev.quiesce.marker.MarkerJudge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import io.smallrye.mutiny.subscription.UniEmitter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How one admitted turn ends, against a real drain state and a handler the test drives: a handler
 * that answers at once, one that answers later, an interrupt before and after the caller subscribed,
 * a caller going away, and a handler that throws. Every way ends the turn once, frees its slot before
 * the caller hears of it, and stops the handler's work when that is still running. (The transports'
 * side of the same is in HttpTurnHandlerTest and MessagePipelineTest.)
 */
class TurnLifecycleTest {

    private static final String HINT = "restarting; send it again";

    @TempDir
    Path home;

    private DrainStateBean state;
    private final AtomicReference<UniEmitter<? super String>> handlerEmitter = new AtomicReference<>();
    private final AtomicInteger handlerRuns = new AtomicInteger();
    private final AtomicBoolean handlerCancelled = new AtomicBoolean();

    /** A handler whose turns end when the test completes {@link #handlerEmitter}. */
    private final TurnHandler pending = turn -> {
        handlerRuns.incrementAndGet();
        return Uni.createFrom().<String>emitter(handlerEmitter::set)
                .onCancellation().invoke(() -> handlerCancelled.set(true));
    };

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @BeforeEach
    void startState() {
        state = new DrainStateBean(new DrainMarkerStore(home), new MarkerJudge("boot-1:1000", Duration.ofHours(1)),
                Clock.systemUTC(), Duration.ofHours(1), Duration.ofHours(24), List.of());
        state.start();
    }

    private MessagePipeline pipeline(TurnHandler handler) {
        return new MessagePipeline(state, handler, registry);
    }

    private static InboundMessage message(String session) {
        return new InboundMessage(session, "test", "hello", false, "m-1");
    }

    /** Subscribes to {@code turn} and records its item, and the slots in flight when it arrived. */
    private final class Caller {
        final List<TurnOutcome> answers = new CopyOnWriteArrayList<>();
        final List<Integer> inFlightAtAnswer = new CopyOnWriteArrayList<>();
        Cancellable subscription;

        Caller subscribe(Uni<TurnOutcome> turn) {
            subscription = turn.subscribe().with(outcome -> {
                inFlightAtAnswer.add(state.current().inFlightCount());
                answers.add(outcome);
            });
            return this;
        }
    }

    @Test
    void aHandlerThatAnswersAtOnceHasEndedAndFreedItsSlotBeforeTheCallerSubscribes() {
        MessagePipeline pipeline = pipeline(new EchoTurnHandler(Duration.ZERO));

        Uni<TurnOutcome> turn = pipeline.handle(message("s-1"));

        assertThat(state.current().inFlightCount()).isZero();
        assertThat(pipeline.runningCount()).isZero();
        Caller caller = new Caller().subscribe(turn);
        assertThat(caller.answers).extracting(TurnOutcome::kind, TurnOutcome::reply)
                .containsExactly(tuple(TurnOutcome.Kind.COMPLETED, "hello"));
    }

    @Test
    void aHandlerThatAnswersLaterEndsTheTurnAndTheSlotIsFreeWhenTheCallerHearsOfIt() {
        MessagePipeline pipeline = pipeline(pending);
        Caller caller = new Caller().subscribe(pipeline.handle(message("s-1")));
        assertThat(state.current().inFlightCount()).isEqualTo(1);
        assertThat(caller.answers).isEmpty();

        handlerEmitter.get().complete("the agent's reply");

        assertThat(caller.answers).extracting(TurnOutcome::kind).containsExactly(TurnOutcome.Kind.COMPLETED);
        assertThat(caller.answers.get(0).reply()).isEqualTo("the agent's reply");
        assertThat(caller.inFlightAtAnswer).containsExactly(0);
        assertThat(pipeline.runningCount()).isZero();
    }

    @Test
    void aHandlerThatEndsBetweenTheCallAndTheSubscriptionIsAnsweredOnSubscription() {
        MessagePipeline pipeline = pipeline(pending);
        Uni<TurnOutcome> turn = pipeline.handle(message("s-1"));
        handlerEmitter.get().complete("early reply");
        assertThat(state.current().inFlightCount()).isZero();

        Caller caller = new Caller().subscribe(turn);

        assertThat(caller.answers).extracting(TurnOutcome::reply).containsExactly("early reply");
    }

    @Test
    void anInterruptBeforeTheCallerSubscribedIsItsAnswerAndCancelsTheHandler() {
        MessagePipeline pipeline = pipeline(pending);
        Uni<TurnOutcome> turn = pipeline.handle(message("s-1"));

        assertThat(pipeline.interruptAll(HINT)).hasSize(1);

        assertThat(handlerCancelled).isTrue();
        assertThat(state.current().inFlightCount()).isZero();
        Caller caller = new Caller().subscribe(turn);
        assertThat(caller.answers).extracting(TurnOutcome::kind, TurnOutcome::reply)
                .containsExactly(tuple(TurnOutcome.Kind.INTERRUPTED, HINT));
        assertThat(pipeline.interruptAll(HINT)).isEmpty();
    }

    @Test
    void anInterruptOfARunningTurnAnswersTheCallerOnceAndALateHandlerReplyIsDropped() {
        MessagePipeline pipeline = pipeline(pending);
        Caller caller = new Caller().subscribe(pipeline.handle(message("s-1")));

        pipeline.interruptAll(HINT);
        handlerEmitter.get().complete("too late");

        assertThat(caller.answers).extracting(TurnOutcome::kind).containsExactly(TurnOutcome.Kind.INTERRUPTED);
        assertThat(caller.inFlightAtAnswer).containsExactly(0);
        assertThat(handlerCancelled).isTrue();
    }

    @Test
    void aCallerThatGoesAwayFreesTheSlotAndCancelsTheHandler() {
        MessagePipeline pipeline = pipeline(pending);
        Caller caller = new Caller().subscribe(pipeline.handle(message("s-1")));

        caller.subscription.cancel();

        assertThat(handlerCancelled).isTrue();
        assertThat(state.current().inFlightCount()).isZero();
        assertThat(pipeline.runningCount()).isZero();
        assertThat(pipeline.interruptAll(HINT)).isEmpty();
        assertThat(caller.answers).isEmpty();
        assertThat(registry.counter("quiesce_turns_total", "outcome", "abandoned").count())
                .as("counted once, as abandoned").isEqualTo(1.0);
        assertThat(registry.find("quiesce_turns_total").counters())
                .filteredOn(c -> !"abandoned".equals(c.getId().getTag("outcome")))
                .allMatch(c -> c.count() == 0);
    }

    @Test
    void aHandlerThatThrowsFailsTheTurnAtOnceWithAReplyAndFreesTheSlot() {
        MessagePipeline pipeline = pipeline(turn -> {
            throw new IllegalStateException("backend not configured");
        });

        Caller caller = new Caller().subscribe(pipeline.handle(message("s-1")));

        assertThat(caller.answers).extracting(TurnOutcome::kind).containsExactly(TurnOutcome.Kind.FAILED);
        assertThat(caller.answers.get(0).reply()).as("a chat user reads it: no Java names")
                .isEqualTo("Sorry, I could not answer that: the assistant ran into an error. Please try again.")
                .doesNotContain("IllegalStateException", "backend not configured");
        assertThat(caller.inFlightAtAnswer).containsExactly(0);
    }

    @Test
    void theSessionIsFreeForItsNextMessageAsSoonAsTheCallerHasItsAnswer() {
        MessagePipeline pipeline = pipeline(pending);
        Caller first = new Caller().subscribe(pipeline.handle(message("s-1")));
        Caller busy = new Caller().subscribe(pipeline.handle(message("s-1")));
        assertThat(busy.answers).extracting(TurnOutcome::kind).containsExactly(TurnOutcome.Kind.REFUSED_BUSY);

        handlerEmitter.get().complete("done");
        assertThat(first.answers).hasSize(1);
        Caller next = new Caller().subscribe(pipeline.handle(message("s-1")));

        assertThat(handlerRuns).hasValue(2);
        assertThat(next.answers).isEmpty();
        assertThat(state.current().inFlightCount()).isEqualTo(1);
    }
}
