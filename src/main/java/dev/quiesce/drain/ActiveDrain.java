package dev.quiesce.drain;

import java.time.Instant;

/**
 * The drain in force.
 *
 * @param drainId identity, for fencing CancelDrain
 * @param requestedAt when it began (a renewal keeps it)
 * @param principal who began it, from their token (or the marker's {@code principal})
 * @param reason free text; may be empty
 * @param suppressNotification skip the home-channel broadcast on a shutdown during this drain
 * @param leaseExpiresAt when it ends by itself; {@code null} for a marker with no lease
 * @param source whether it was begun through the API or taken from a marker another process wrote
 */
public record ActiveDrain(
        String drainId,
        Instant requestedAt,
        String principal,
        String reason,
        boolean suppressNotification,
        Instant leaseExpiresAt,
        Source source) {

    /** Where a drain came from. */
    public enum Source {
        API,
        MARKER;

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** A drain begun through the API now, with a new drain_id. */
    static ActiveDrain begun(String principal, String reason, boolean suppressNotification, Instant now,
            Instant leaseExpiresAt) {
        return new ActiveDrain(Ids.drainId(), now, principal, reason, suppressNotification, leaseExpiresAt, Source.API);
    }

    /** This drain renewed: same id, start, principal and source; the new reason, suppression and lease. */
    ActiveDrain renewed(String newReason, boolean newSuppression, Instant newLeaseExpiresAt) {
        return new ActiveDrain(drainId, requestedAt, principal, newReason, newSuppression, newLeaseExpiresAt, source);
    }
}
