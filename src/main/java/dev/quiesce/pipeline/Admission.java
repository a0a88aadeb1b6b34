package dev.quiesce.pipeline;

/** The accept gate's answer for one turn: admitted (and registered in flight) or refused. */
public sealed interface Admission {

    /**
     * The turn is registered in flight; it must be released exactly once.
     *
     * @param turn the registration
     * @param control what the gate's factory made for it
     */
    record Admitted(TurnInfo turn, TurnControl control) implements Admission {}

    /**
     * The turn was not started.
     *
     * @param why the reason
     * @param pause which pause refused it ({@link AcceptGate#pause()}); for BUSY, the last one
     */
    record Refused(Why why, long pause) implements Admission {}

    /** Why a turn was refused. */
    enum Why {
        /** Draining (or still starting): only internal turns start. */
        DRAINING,
        /** Shutting down: nothing starts. */
        STOPPING,
        /** Another turn of the same session is running. */
        BUSY
    }
}
