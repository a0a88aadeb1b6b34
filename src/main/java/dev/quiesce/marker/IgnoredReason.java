package dev.quiesce.marker;

/** Why a present marker does not drain the gateway. */
public enum IgnoredReason {
    /** The marker is not ignored. */
    NONE,
    /** Written by another instantiation (machine or container restarted since): the drain is over. */
    EPOCH_MISMATCH,
    /** Its lease ran out, or, with no lease, it is older than {@code quiesce.marker.max-age}. */
    EXPIRED
}
