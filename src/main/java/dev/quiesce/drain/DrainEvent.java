package dev.quiesce.drain;

import java.time.Instant;

/**
 * Something an operator will want in the audit log: a drain began, was renewed, ended, or the
 * gateway began shutting down.
 *
 * @param kind what happened
 * @param principal who caused it ({@code "marker"} for a change another process made on disk)
 * @param reason the drain's reason; may be empty
 * @param drainId the drain concerned; empty for a shutdown outside a drain
 * @param inFlight turns running at that moment
 * @param outcome for a drain that ended: {@code cancelled}, {@code expired} or {@code shutdown};
 *     otherwise {@code began}, {@code renewed} or {@code adopted}
 * @param detail a sentence for the operator; may be empty
 * @param time when it happened
 */
public record DrainEvent(
        Kind kind, String principal, String reason, String drainId, int inFlight, String outcome, String detail,
        Instant time) {

    /** The start of a shutdown, during {@code drain} (null when none was in force). */
    static DrainEvent shutdown(ActiveDrain drain, int inFlight, Instant time) {
        return drain == null ? new DrainEvent(Kind.SHUTDOWN, "system", "", "", inFlight, "stopping", "", time)
                : new DrainEvent(Kind.SHUTDOWN, "system", drain.reason(), drain.drainId(), inFlight, "shutdown", "", time);
    }

    /** The kinds of audited change. */
    public enum Kind {
        BEGIN,
        RENEW,
        CANCEL,
        EXPIRY,
        MARKER_BEGIN,
        MARKER_CANCEL,
        SHUTDOWN;

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
