package dev.quiesce.drain;

/**
 * A drain transition was refused; nothing changed. The {@link Reason} tells the API which status
 * to answer with; the message is a sentence a person can act on.
 */
public final class DrainRefusedException extends RuntimeException {

    /** Why a transition was refused. */
    public enum Reason {
        /** The request itself is wrong (reason too long, lease out of range). */
        INVALID_REQUEST,
        /** The gateway is shutting down: nothing leaves STOPPING. */
        SHUTTING_DOWN,
        /** CancelDrain named a drain that is not the active one. */
        WRONG_DRAIN_ID,
        /** The marker could not be written or removed; memory and disk still agree. */
        MARKER_UNAVAILABLE
    }

    private final Reason reason;

    public DrainRefusedException(Reason reason, String message) {
        this(reason, message, null);
    }

    public DrainRefusedException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    /**
     * The refusal of a control call during shutdown.
     *
     * @param action what was refused, e.g. "begin a drain"
     */
    static DrainRefusedException shuttingDown(Phase phase, String action) {
        return new DrainRefusedException(Reason.SHUTTING_DOWN, "cannot " + action + ": the gateway is " + phase
                + " (shutdown wins; the marker on disk is left as it is)");
    }

    public Reason reason() {
        return reason;
    }
}
