package dev.quiesce.marker;

import java.time.Instant;

/**
 * The body of a drain-marker file, as written by Quiesce or by the reference gateway.
 *
 * <p>The first five fields are the reference's and keep its names and types on disk
 * ({@code action}, {@code requested_at}, {@code principal}, {@code epoch},
 * {@code suppress_notification}); {@code drain_id}, {@code reason} and {@code lease_expires_at}
 * are Quiesce's. Every field but {@code suppressNotification} may be {@code null} when read back:
 * a legacy marker lacks ours, and a field of the wrong type is read as missing.
 *
 * @param action always {@code "drain"} when written; the reference keys off presence, so any
 *     value read back still means a drain
 * @param requestedAt when the drain was requested; {@code null} when missing or unparseable
 * @param principal who asked for it (taken from the caller's token, never from a request body)
 * @param epoch the instantiation epoch of the writer; {@code null} or empty disables the check
 * @param suppressNotification true only for a literal JSON {@code true}: anything doubtful reads
 *     as false, toward the louder shutdown
 * @param drainId the drain's identity, for fencing CancelDrain
 * @param reason free text from the operator
 * @param leaseExpiresAt when the drain ends by itself; {@code null} = no lease
 * @param renewedAt when the lease was last granted (a renewal by BeginDrain); {@code null} when the
 *     writer does not say (the reference's markers, ours before this field): then {@code requestedAt}.
 *     A lease never holds longer than max-lease after this (SPEC §2, {@link MarkerJudge})
 */
public record DrainMarker(
        String action,
        Instant requestedAt,
        String principal,
        String epoch,
        boolean suppressNotification,
        String drainId,
        String reason,
        Instant leaseExpiresAt,
        Instant renewedAt) {

    /** A marker that does not say when its lease was last granted. */
    public DrainMarker(String action, Instant requestedAt, String principal, String epoch, boolean suppressNotification,
            String drainId, String reason, Instant leaseExpiresAt) {
        this(action, requestedAt, principal, epoch, suppressNotification, drainId, reason, leaseExpiresAt, null);
    }

    /** The only action Quiesce writes. */
    public static final String ACTION_DRAIN = "drain";
}
