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

    /** Same drain content, whatever its source. */
    boolean sameAs(ActiveDrain other) {
        return other != null
                && drainId.equals(other.drainId)
                && java.util.Objects.equals(requestedAt, other.requestedAt)
                && java.util.Objects.equals(principal, other.principal)
                && java.util.Objects.equals(reason, other.reason)
                && suppressNotification == other.suppressNotification
                && java.util.Objects.equals(leaseExpiresAt, other.leaseExpiresAt);
    }
}
