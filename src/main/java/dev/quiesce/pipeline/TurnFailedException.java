package dev.quiesce.pipeline;

/**
 * A turn its handler could not complete. The message is fit for a user (it becomes the FAILED
 * reply): it names what went wrong in words, never a Java type. Every handler fails its turns with
 * this; any other failure is answered with a generic text. The cause, if any, is what the operator's
 * log shows beside the message: the Java detail the user is not shown. Immutable; no stack trace.
 */
public final class TurnFailedException extends RuntimeException {

    public TurnFailedException(String message) {
        this(message, null);
    }

    /** @param cause what went wrong, for the log only (never the reply); may be null */
    public TurnFailedException(String message, Throwable cause) {
        super(message, cause, false, false);
    }
}
