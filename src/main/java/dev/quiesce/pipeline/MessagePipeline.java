package dev.quiesce.pipeline;

import dev.quiesce.drain.DrainStateBean;
import dev.quiesce.pipeline.Admission;
import dev.quiesce.pipeline.TurnInfo;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.smallrye.mutiny.subscription.UniSubscriber;
import io.smallrye.mutiny.subscription.UniSubscription;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Ingress to turns: validates a message, asks the accept gate ({@link DrainStateBean#tryAdmit},
 * which checks the phase and registers the turn in one atomic step), runs the turn handler, and
 * releases the turn's in-flight slot exactly once however the turn ends — reply, handler failure,
 * interrupt, or the caller going away.
 *
 * <p>Every running turn has an interrupt hook; {@link #interruptAll} (used by the shutdown sequence)
 * ends them with INTERRUPTED and the resume hint, cancelling the handler's work. Thread-safe.
 */
@Singleton
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
    private final Map<String, RunningTurn<?>> running = new ConcurrentHashMap<>();

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
        return handle(message, Function.identity());
    }

    /**
     * Like {@link #handle(InboundMessage)}, answering with {@code answer} applied to the outcome: a
     * transport's reply is built where the turn ends, without another operator on the Uni (each
     * costs a context-propagation capture per call).
     */
    public <R> Uni<R> handle(InboundMessage message, Function<TurnOutcome, R> answer) {
        message.validate();
        Admission admission = state.tryAdmit(message.sessionId(), message.channel(), message.internal());
        if (admission instanceof Admission.Refused refused) {
            return Uni.createFrom().item(answer.apply(count(refusal(refused.why()))));
        }
        TurnInfo turn = ((Admission.Admitted) admission).turn();
        RunningTurn<R> hook = new RunningTurn<>(turn, answer);
        running.put(turn.turnId(), hook);
        hook.run(new TurnRequest(turn.turnId(), message.sessionId(), message.channel(), message.text(),
                message.internal(), message.messageId()));
        // A turn that ended while it started (the echo handler without a delay, a handler that fails
        // at once) is answered with its reply as it is. Only a turn still running needs an emitter,
        // which costs a context-propagation capture and a termination hook per call: no chain of
        // operators on this path (src/bench/DATA-PLANE.md).
        R reply = hook.replyIfEnded();
        return reply != null ? Uni.createFrom().item(reply) : Uni.createFrom().<R>emitter(hook::attach);
    }

    /**
     * Interrupts every running turn: each caller receives INTERRUPTED with {@code hint} and the
     * handler's work is cancelled.
     *
     * @return the turns that were interrupted
     */
    public List<TurnInfo> interruptAll(String hint) {
        List<TurnInfo> interrupted = new ArrayList<>();
        for (RunningTurn<?> turn : running.values()) {
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

    /**
     * One admitted turn from its admission to its end. The handler starts at once, before the caller
     * subscribes. The turn ends exactly once — the handler's reply or failure, an interrupt, or the
     * caller going away — and its end releases the in-flight slot (before the caller is answered, so
     * the caller's next message finds the session free), counts the outcome, answers the caller, and
     * cancels the handler's work if that is still running. A turn that ends before the caller
     * subscribed keeps its reply for the subscription. Thread-safe: the handler, the shutdown
     * sequence and the caller may race; fields are guarded by {@code this}, and nothing is called
     * out while holding it.
     */
    private final class RunningTurn<R> implements UniSubscriber<String> {
        private final TurnInfo turn;
        private final Function<TurnOutcome, R> answer;
        private UniEmitter<? super R> caller;
        /** The answer of a turn that ended before the caller subscribed. */
        private R replyBeforeCaller;
        private UniSubscription handling;
        private boolean ended;

        RunningTurn(TurnInfo turn, Function<TurnOutcome, R> answer) {
            this.turn = turn;
            this.answer = answer;
        }

        /** Runs the handler, unless an interrupt already ended the turn. */
        void run(TurnRequest request) {
            synchronized (this) {
                if (ended) {
                    return; // interrupted before it started: the handler never runs
                }
            }
            Uni<String> work;
            try {
                work = handler.run(request);
            } catch (RuntimeException e) {
                end(failed(turn, e));
                return;
            }
            work.subscribe().withSubscriber(this);
        }

        /** The answer, if the turn has ended and been answered already; null while it runs. */
        synchronized R replyIfEnded() {
            return replyBeforeCaller;
        }

        /** The caller subscribed to a turn that was still running when {@code handle} returned. */
        void attach(UniEmitter<? super R> emitter) {
            emitter.onTermination(this::callerGone);
            R reply;
            synchronized (this) {
                caller = emitter;
                reply = replyBeforeCaller;
            }
            if (reply != null) {
                emitter.complete(reply); // it ended in between
            }
        }

        @Override
        public void onSubscribe(UniSubscription subscription) {
            boolean alreadyEnded;
            synchronized (this) {
                handling = subscription;
                alreadyEnded = ended;
            }
            if (alreadyEnded) {
                subscription.cancel();
            }
        }

        @Override
        public void onItem(String reply) {
            end(new TurnOutcome(TurnOutcome.Kind.COMPLETED, reply, turn.turnId()));
        }

        @Override
        public void onFailure(Throwable failure) {
            end(failed(turn, failure));
        }

        /** @return true if this ended the turn, false if it had already ended */
        boolean interrupt(String hint) {
            return end(new TurnOutcome(TurnOutcome.Kind.INTERRUPTED, hint, turn.turnId()));
        }

        private boolean end(TurnOutcome outcome) {
            UniSubscription work;
            synchronized (this) {
                if (ended) {
                    return false;
                }
                ended = true;
                work = handling;
            }
            release();
            count(outcome);
            R reply = answer.apply(outcome);
            UniEmitter<? super R> to;
            synchronized (this) {
                to = caller;
                if (to == null) {
                    replyBeforeCaller = reply;
                }
            }
            if (to != null) {
                to.complete(reply);
            }
            if (work != null) {
                work.cancel(); // a no-op when the handler has already answered
            }
            return true;
        }

        /** The emitter terminated: after {@link #end} a no-op; otherwise the caller went away. */
        private void callerGone() {
            UniSubscription work;
            synchronized (this) {
                if (ended) {
                    return;
                }
                ended = true;
                work = handling;
            }
            release();
            if (work != null) {
                work.cancel();
            }
        }

        private void release() {
            running.remove(turn.turnId());
            state.release(turn);
        }
    }
}
