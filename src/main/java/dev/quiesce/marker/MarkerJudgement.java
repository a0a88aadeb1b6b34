package dev.quiesce.marker;

import java.time.Instant;
import java.util.Objects;

/**
 * The verdict on the marker file: whether it drains the gateway, and why not when it does not.
 *
 * @param status how the file was judged
 * @param ignoredReason why an {@link MarkerStatus#IGNORED} marker is ignored; {@code NONE} otherwise
 * @param marker the parsed body for ACTIVE and IGNORED-but-parsed markers; {@code null} otherwise
 * @param detail a sentence for the operator (the parse or I/O problem, the expiry, a cap or fallback
 *     that applied); may be empty
 * @param expiresAt when an active marker stops draining by itself (its lease, capped at max-lease, or
 *     the end of its max-age); null for the others
 */
public record MarkerJudgement(
        MarkerStatus status, IgnoredReason ignoredReason, DrainMarker marker, String detail, Instant expiresAt) {

    public MarkerJudgement {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(ignoredReason, "ignoredReason");
        detail = detail == null ? "" : detail;
    }

    /** A judgement with no end of its own (not active, or not known). */
    public MarkerJudgement(MarkerStatus status, IgnoredReason ignoredReason, DrainMarker marker, String detail) {
        this(status, ignoredReason, marker, detail, null);
    }

    /** The judgement of a missing file. */
    public static final MarkerJudgement ABSENT =
            new MarkerJudgement(MarkerStatus.ABSENT, IgnoredReason.NONE, null, "");

    /** True when the file asks for a drain: ACTIVE or UNPARSEABLE_ACTIVE. */
    public boolean isActive() {
        return status == MarkerStatus.ACTIVE || status == MarkerStatus.UNPARSEABLE_ACTIVE;
    }

    /**
     * True only for an ACTIVE marker whose body says {@code suppress_notification: true}. A stale,
     * expired, corrupt or unreadable marker never suppresses: a doubtful suppression notifies.
     */
    public boolean suppressesNotification() {
        return status == MarkerStatus.ACTIVE && marker != null && marker.suppressNotification();
    }
}
