package dev.quiesce.inbox;

/** The inbox cannot be read or written now; the message says why (for an operator). */
public final class InboxUnavailableException extends RuntimeException {

    public InboxUnavailableException(String message) {
        super(message, null, false, false);
    }
}
