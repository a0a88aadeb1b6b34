package dev.quiesce.marker;

import java.time.Instant;

/**
 * When this gateway first read the marker file as it is now (same content, same mtime): the time a
 * marker's age or lease is counted from when it gives none that can be trusted. Forgotten when the
 * file goes away or changes. In memory only: after a restart a marker is "first seen" again, which
 * can only delay, never prevent, its expiry by one max-age or max-lease. Thread-safe.
 */
final class FirstSeen {

    /** Guarded by {@code this}. */
    private MarkerRead read;
    /** Guarded by {@code this}. */
    private Instant at;

    /** When {@code current} was first seen; {@code now} if it differs from what was seen before. */
    synchronized Instant of(MarkerRead current, Instant now) {
        if (!current.equals(read)) {
            read = current;
            at = now;
        }
        return at;
    }

    /** There is no file. */
    synchronized void forget() {
        read = null;
        at = null;
    }
}
