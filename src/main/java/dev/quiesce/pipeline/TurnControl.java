package dev.quiesce.pipeline;

import java.util.function.Function;

/**
 * How the accept gate's registry reaches a running turn to cut it off (the shutdown's interrupt).
 * Implementations are thread-safe: the shutdown, the handler and the caller may race.
 */
public interface TurnControl {

    /** The control of a turn that runs no work a shutdown could cut off. */
    TurnControl NONE = hint -> false;

    /**
     * Ends the turn now: its caller is answered INTERRUPTED with {@code hint} and the handler's work
     * is cancelled. Never throws.
     *
     * @return true if this ended the turn, false if it had already ended
     */
    boolean interrupt(String hint);

    /** For an admission whose turn runs no interruptible work: the gate benchmark, plain tests. */
    static Function<TurnInfo, TurnControl> none() {
        return turn -> NONE;
    }
}
