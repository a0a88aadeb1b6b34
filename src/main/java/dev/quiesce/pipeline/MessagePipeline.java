package dev.quiesce.pipeline;

import dev.quiesce.drain.Admission;
import dev.quiesce.drain.DrainStateBean;
import dev.quiesce.drain.TurnInfo;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Ingress to turns: validates a message, asks the accept gate ({@link DrainStateBean#tryAdmit},
 * which checks the phase and registers the turn in one atomic step), runs the turn handler, and
 * releases the turn's in-flight slot exactly once however the turn ends — reply, handler failure,
 * interrupt, or the caller going away.
 *
 * <p>Every running turn has an interrupt hook; {@link #interruptAll} (used by the shutdown sequence)
 * ends them with INTERRUPTED and the resume hint, cancelling the handler's work. Thread-safe.
 */
@ApplicationScoped
public class MessagePipeline {

    /** What a user is told when a drain refuses their message. */
    public static final String DRAINING_REPLY =
            "This assistant is briefly paused for maintenance and did not start on your message. "
                    + "Please send it again in a minute.";
    /** What a user is told when a shutdown refuses their message. */
    public static final String STOPPING_REPLY =
            "This assistant is restarting and did not start on your message. Please send it again in a minute.";
    /** What a user is told when their previous message is still being answered. */
    public static final String BUSY_REPLY =
            "I'm still working on your previous message. Please wait for that answer before sending another.";

    private final DrainStateBean state;
    private final TurnHandler handler;
    private final Map<TurnOutcome.Kind, Counter> outcomes = new EnumMap<>(TurnOutcome.Kind.class);
    /** Running turns by turn id: their interrupt hooks. */
    private final Map<String, RunningTurn> running = new ConcurrentHashMap<>();

    @Inject
    public MessagePipeline(DrainStateBean state, TurnHandler handler, MeterRegistry registry) {
        this.state = state;
        this.handler = handler;
        for (TurnOutcome.Kind kind : TurnOutcome.Kind.values()) {
            outcomes.put(kind, Counter.builder("quiesce_turns_total")
                    .description("Turns by outcome, refusals included")
                    .tag("outcome", kind.metricName())
                    .register(registry));
        }
    }

    /**
     * Runs {@code message} as a turn, or refuses it.
     *
     * @return the outcome; a refusal is an item, not a failure. The Uni never fails.
     * @throws InvalidMessageException before anything starts, when the message is not acceptable
     */
    public Uni<TurnOutcome> handle(InboundMessage message) {
        message.validate();
        Admission admission = state.tryAdmit(message.sessionId(), message.channel(), message.internal());
        if (admission instanceof Admission.Refused refused) {
            return Uni.createFrom().item(count(refusal(refused.why())));
        }
        TurnInfo turn = ((Admission.Admitted) admission).turn();
        RunningTurn hook = new RunningTurn(turn);
        running.put(turn.turnId(), hook);
        TurnRequest request = new TurnRequest(turn.turnId(), message.sessionId(), message.channel(), message.text(),
                message.internal(), message.messageId());
        Uni<TurnOutcome> work = Uni.createFrom().deferred(() -> handler.run(request))
                .map(reply -> new TurnOutcome(TurnOutcome.Kind.COMPLETED, reply, turn.turnId()))
                .onFailure().recoverWithItem(failure -> failed(turn, failure));
        Uni<TurnOutcome> interrupted = Uni.createFrom().emitter(emitter -> hook.onInterrupt(
                hint -> emitter.complete(new TurnOutcome(TurnOutcome.Kind.INTERRUPTED, hint, turn.turnId()))));
        return Uni.combine().any().of(work, interrupted)
                .onItem().invoke(this::count)
                .onTermination().invoke(() -> {
                    running.remove(turn.turnId());
                    state.release(turn);
                });
    }

    /**
     * Interrupts every running turn: each caller receives INTERRUPTED with {@code hint} and the
     * handler's work is cancelled.
     *
     * @return the turns that were interrupted
     */
    public List<TurnInfo> interruptAll(String hint) {
        List<TurnInfo> interrupted = new ArrayList<>();
        for (RunningTurn turn : running.values()) {
            if (turn.interrupt(hint)) {
                interrupted.add(turn.turn);
            }
        }
        return interrupted;
    }

    /** Turns running now (those with an interrupt hook). */
    public int runningCount() {
        return running.size();
    }

    private static TurnOutcome refusal(Admission.Why why) {
        return switch (why) {
            case DRAINING -> new TurnOutcome(TurnOutcome.Kind.REFUSED_DRAINING, DRAINING_REPLY, "");
            case STOPPING -> new TurnOutcome(TurnOutcome.Kind.REFUSED_STOPPING, STOPPING_REPLY, "");
            case BUSY -> new TurnOutcome(TurnOutcome.Kind.REFUSED_BUSY, BUSY_REPLY, "");
        };
    }

    private static TurnOutcome failed(TurnInfo turn, Throwable failure) {
        String why = failure instanceof HttpTurnHandler.TurnFailedException ? failure.getMessage()
                : "the agent failed (" + failure.getClass().getSimpleName() + ")";
        Log.warnf("Turn %s of session %s failed: %s", turn.turnId(), turn.sessionId(), failure.toString());
        return new TurnOutcome(TurnOutcome.Kind.FAILED,
                "Sorry, I could not answer that: " + why + ". Please try again.", turn.turnId());
    }

    private TurnOutcome count(TurnOutcome outcome) {
        outcomes.get(outcome.kind()).increment();
        return outcome;
    }

    /** A running turn's interrupt hook. Thread-safe: interrupt and registration may race. */
    private static final class RunningTurn {
        private final TurnInfo turn;
        private Consumer<String> listener;
        private String pendingHint;
        private boolean fired;

        RunningTurn(TurnInfo turn) {
            this.turn = turn;
        }

        synchronized void onInterrupt(Consumer<String> listener) {
            this.listener = listener;
            if (pendingHint != null) {
                listener.accept(pendingHint);
            }
        }

        /** @return true the first time, false if already interrupted */
        boolean interrupt(String hint) {
            Consumer<String> target;
            synchronized (this) {
                if (fired) {
                    return false;
                }
                fired = true;
                pendingHint = hint;
                target = listener;
            }
            if (target != null) {
                target.accept(hint);
            }
            return true;
        }
    }
}
