package dev.quiesce.pipeline;

import java.util.function.Consumer;
import java.util.function.Function;

/**
 * How the accept gate's registry reaches a running turn to cut it off (the shutdown's interrupt).
 * Implementations are thread-safe: the shutdown, the handler and the caller may race.
 */
public interface TurnControl {

    /** The control of a turn that runs no work a shutdown could cut off. */
    TurnControl NONE = hint -> false;

    /** How a turn ended, for {@link #whenEnded}. */
    enum End {
        /** Its caller was answered: a reply, a failure. */
        ANSWERED,
        /** Cut off by {@link #interrupt}. */
        INTERRUPTED,
        /** Its caller went away before an answer; the work was cancelled. */
        ABANDONED
    }

    /**
     * Ends the turn now: its caller is answered INTERRUPTED with {@code hint} and the handler's work
     * is cancelled. Never throws.
     *
     * @return true if this ended the turn, false if it had already ended
     */
    boolean interrupt(String hint);

    /** What the handler runs (or ran); null for a turn that runs no handler. */
    default TurnRequest request() {
        return null;
    }

    /**
     * Runs {@code then} once, when the turn ends, on the thread that ends it — at once, on this thread,
     * if it has ended already. For a turn that runs no work: never.
     */
    default void whenEnded(Consumer<End> then) {}

    /** For an admission whose turn runs no interruptible work: the gate benchmark, plain tests. */
    static Function<TurnInfo, TurnControl> none() {
        return turn -> NONE;
    }
}
