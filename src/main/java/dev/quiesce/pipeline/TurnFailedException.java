package dev.quiesce.pipeline;

/**
 * A turn its handler could not complete. The message is fit for a user (it becomes the FAILED
 * reply): it names what went wrong in words, never a Java type. Every handler fails its turns with
 * this; any other failure is answered with a generic text. Immutable; no stack trace.
 */
public final class TurnFailedException extends RuntimeException {

    public TurnFailedException(String message) {
        super(message, null, false, false);
    }
}
