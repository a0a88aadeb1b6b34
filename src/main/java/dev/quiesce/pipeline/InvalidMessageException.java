package dev.quiesce.pipeline;

/** An inbound message that cannot become a turn; the message says what to fix. Nothing was started. */
public final class InvalidMessageException extends RuntimeException {

    public InvalidMessageException(String message) {
        super(message, null, false, false);
    }
}
