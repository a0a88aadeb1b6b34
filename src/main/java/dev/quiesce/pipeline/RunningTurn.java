package dev.quiesce.pipeline;

import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.smallrye.mutiny.subscription.UniSubscriber;
import io.smallrye.mutiny.subscription.UniSubscription;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * One admitted turn from its admission to its end. The handler starts at once, before the caller
 * subscribes. The turn ends exactly once — the handler's reply or failure, an interrupt, or the
 * caller going away — and its end releases the in-flight slot (before the caller is answered, so the
 * caller's next message finds the session free), counts the outcome, answers the caller, and cancels
 * the handler's work if that is still running. A turn that ends before the caller subscribed keeps
 * its reply for the subscription.
 *
 * <p>Thread-safe: the handler, the shutdown and the caller may race. The fields are guarded by
 * {@code this}, and nothing is called out while holding it.
 *
 * @param <R> what the transport answers its caller with
 */
final class RunningTurn<R> implements TurnControl, UniSubscriber<String> {

    private final TurnInfo turn;
    private final TurnRequest request;
    private final Function<TurnOutcome, R> answer;
    private final AcceptGate gate;
    private final TurnCounts counts;
    // --- guarded by this ---
    private UniEmitter<? super R> caller;
    /** The answer of a turn that ended before the caller subscribed. */
    private R replyBeforeCaller;
    private UniSubscription handling;
    /** How it ended; null while it runs. */
    private End end;
    /** Run when it ends: null until one is added, and once it has ended. */
    private List<Consumer<End>> endListeners;
    // --- end guarded by this ---

    RunningTurn(TurnInfo turn, TurnRequest request, Function<TurnOutcome, R> answer, AcceptGate gate,
            TurnCounts counts) {
        this.turn = turn;
        this.request = request;
        this.answer = answer;
        this.gate = gate;
        this.counts = counts;
    }

    /** Runs the handler, unless an interrupt already ended the turn. */
    void run(TurnHandler handler) {
        synchronized (this) {
            if (end != null) {
                return; // interrupted before it started: the handler never runs
            }
        }
        Uni<String> work;
        try {
            work = handler.run(request);
        } catch (RuntimeException e) {
            end(failed(e));
            return;
        }
        work.subscribe().withSubscriber(this);
    }

    /**
     * The caller's answer: as it is when the turn has ended already, which needs no emitter (a
     * context-propagation capture and a termination hook per call, src/bench/DATA-PLANE.md), else an
     * emitter that completes when the turn ends.
     */
    Uni<R> reply() {
        R reply;
        synchronized (this) {
            reply = replyBeforeCaller;
        }
        return reply != null ? Uni.createFrom().item(reply) : Uni.createFrom().<R>emitter(this::attach);
    }

    @Override
    public boolean interrupt(String hint) {
        return end(new TurnOutcome(TurnOutcome.Kind.INTERRUPTED, hint, turn.turnId()));
    }

    @Override
    public TurnRequest request() {
        return request;
    }

    @Override
    public void whenEnded(Consumer<End> then) {
        End already;
        synchronized (this) {
            already = end;
            if (already == null) {
                if (endListeners == null) {
                    endListeners = new ArrayList<>(1);
                }
                endListeners.add(then);
            }
        }
        if (already != null) {
            then.accept(already);
        }
    }

    @Override
    public void onSubscribe(UniSubscription subscription) {
        boolean alreadyEnded;
        synchronized (this) {
            handling = subscription;
            alreadyEnded = end != null;
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
        end(failed(failure));
    }

    /** The caller subscribed to a turn that was still running when {@code handle} returned. */
    private void attach(UniEmitter<? super R> emitter) {
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

    private TurnOutcome failed(Throwable failure) {
        // The reply goes to a chat user: words only. The log keeps the Java detail for the operator.
        String why = failure instanceof TurnFailedException ? failure.getMessage() : "the assistant ran into an error";
        Log.warnf("Turn %s of session %s failed: %s", turn.turnId(), turn.sessionId(), causes(failure));
        return new TurnOutcome(TurnOutcome.Kind.FAILED,
                "Sorry, I could not answer that: " + why + ". Please try again.", turn.turnId());
    }

    /**
     * {@code failure} and the causes it carries (at most five), e.g. {@code …TurnFailedException: the
     * agent backend could not be reached (connection refused) <- java.net.ConnectException <- …}.
     */
    private static String causes(Throwable failure) {
        StringBuilder chain = new StringBuilder(failure.toString());
        Throwable next = failure.getCause();
        for (int depth = 1; next != null && depth < 5; depth++, next = next.getCause()) {
            chain.append(" <- ").append(next);
        }
        return chain.toString();
    }

    /** @return true if this ended the turn, false if it had already ended */
    private boolean end(TurnOutcome outcome) {
        UniSubscription work;
        List<Consumer<End>> listeners;
        End how = outcome.kind() == TurnOutcome.Kind.INTERRUPTED ? End.INTERRUPTED : End.ANSWERED;
        synchronized (this) {
            if (end != null) {
                return false;
            }
            work = handling;
            end = how;
            listeners = endListeners;
            endListeners = null;
        }
        gate.release(turn);
        tell(listeners, how);
        counts.count(outcome);
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
        List<Consumer<End>> listeners;
        synchronized (this) {
            if (end != null) {
                return;
            }
            work = handling;
            end = End.ABANDONED;
            listeners = endListeners;
            endListeners = null;
        }
        gate.release(turn);
        tell(listeners, End.ABANDONED);
        counts.countAbandoned();
        if (work != null) {
            work.cancel();
        }
    }

    /** Tells the end listeners how it ended, once: after the release, before the caller is answered. */
    private void tell(List<Consumer<End>> listeners, End how) {
        if (listeners == null) {
            return;
        }
        for (Consumer<End> listener : listeners) {
            try {
                listener.accept(how);
            } catch (RuntimeException e) {
                Log.errorf(e, "A listener of the end of turn %s failed", turn.turnId());
            }
        }
    }
}
