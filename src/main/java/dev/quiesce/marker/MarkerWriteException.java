package dev.quiesce.marker;

/**
 * A marker could not be made durable (written or removed). The file on disk is as it was
 * before the attempt; callers must not change the drain state.
 */
public final class MarkerWriteException extends RuntimeException {

    public MarkerWriteException(String message, Throwable cause) {
        super(message, cause);
    }
}
