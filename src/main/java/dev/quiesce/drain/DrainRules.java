package dev.quiesce.drain;

import java.time.Duration;

/**
 * What a drain request may ask for (SPEC §3–4): the lease rules and the length limits. Checked before
 * any lock is taken or file touched, so a refused request changes nothing. Immutable and thread-safe.
 */
final class DrainRules {

    /** Longest accepted drain reason. */
    static final int MAX_REASON_LENGTH = 256;

    /**
     * Longest drain_id CancelDrain accepts (ours are 18 characters). A refusal quotes the id it got,
     * and a description must stay small enough for a gRPC trailer.
     */
    static final int MAX_DRAIN_ID_LENGTH = 256;

    private final Duration defaultLease;
    private final Duration maxLease;

    DrainRules(Duration defaultLease, Duration maxLease) {
        this.defaultLease = defaultLease;
        this.maxLease = maxLease;
    }

    /**
     * The reason to record: {@code reason}, or empty when null.
     *
     * @throws DrainRefusedException INVALID_REQUEST when it is over {@link #MAX_REASON_LENGTH}
     */
    String reason(String reason) {
        String checked = reason == null ? "" : reason;
        if (checked.length() > MAX_REASON_LENGTH) {
            throw invalid("reason is " + checked.length() + " characters; at most " + MAX_REASON_LENGTH
                    + " are allowed");
        }
        return checked;
    }

    /**
     * The lease to grant: {@code requested}, or the default for null or zero.
     *
     * @throws DrainRefusedException INVALID_REQUEST when it is negative or longer than the maximum
     */
    Duration lease(Duration requested) {
        Duration lease = requested == null ? Duration.ZERO : requested;
        if (lease.isNegative()) {
            throw invalid("lease must not be negative (got " + lease + "); send 0 for the default of " + defaultLease);
        }
        if (lease.isZero()) {
            return defaultLease;
        }
        if (lease.compareTo(maxLease) > 0) {
            throw invalid("lease " + lease + " is longer than the maximum of " + maxLease
                    + "; renew the drain with BeginDrain before it expires instead");
        }
        return lease;
    }

    /**
     * Checks the drain_id a CancelDrain names (null or empty: any drain).
     *
     * @throws DrainRefusedException INVALID_REQUEST when it is over {@link #MAX_DRAIN_ID_LENGTH}
     */
    void drainId(String drainId) {
        if (drainId != null && drainId.length() > MAX_DRAIN_ID_LENGTH) {
            throw invalid("drain_id is " + drainId.length() + " characters; a drain_id is at most "
                    + MAX_DRAIN_ID_LENGTH + " (send the one GetState shows, or an empty drain_id to cancel any drain)");
        }
    }

    /**
     * Checks that a CancelDrain naming {@code drainId} (empty: any) may cancel {@code active}.
     *
     * @throws DrainRefusedException WRONG_DRAIN_ID naming the active drain_id
     */
    static void cancels(String drainId, ActiveDrain active) {
        if (drainId != null && !drainId.isEmpty() && !drainId.equals(active.drainId())) {
            throw new DrainRefusedException(DrainRefusedException.Reason.WRONG_DRAIN_ID,
                    "drain_id '" + drainId + "' is not the active drain; the active drain_id is '"
                            + active.drainId() + "' (send it, or an empty drain_id to cancel any drain)");
        }
    }

    private static DrainRefusedException invalid(String message) {
        return new DrainRefusedException(DrainRefusedException.Reason.INVALID_REQUEST, message);
    }
}
