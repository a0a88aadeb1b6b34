package dev.quiesce.marker;

import dev.quiesce.home.IsoTimes;
import java.time.Duration;
import java.time.Instant;

/**
 * Decides whether what was read from the marker file drains this gateway (SPEC §2). Immutable
 * and thread-safe.
 *
 * <p>Rules, in order, for a present or unparseable marker:
 * <ol>
 *   <li>an epoch in the marker that differs from a non-empty current epoch: IGNORED/EPOCH_MISMATCH;
 *   <li>a {@code lease_expires_at} not after now: IGNORED/EXPIRED;
 *   <li>no lease, and older than max-age (from {@code requested_at}, else the file's mtime):
 *       IGNORED/EXPIRED;
 *   <li>otherwise ACTIVE (UNPARSEABLE_ACTIVE for a file that is not a JSON object).
 * </ol>
 * An unreadable file is UNREADABLE and, like an absent one, does not drain.
 */
public final class MarkerJudge {

    private final String currentEpoch;
    private final Duration maxAge;

    /**
     * @param currentEpoch this instantiation's epoch; {@code ""} disables rule 1
     * @param maxAge the age past which a marker with no lease is ignored
     */
    public MarkerJudge(String currentEpoch, Duration maxAge) {
        this.currentEpoch = currentEpoch == null ? "" : currentEpoch;
        this.maxAge = maxAge;
    }

    /** This instantiation's epoch, as stamped into markers Quiesce writes. */
    public String currentEpoch() {
        return currentEpoch;
    }

    /** Judges {@code read} as of {@code now}. Never throws. */
    public MarkerJudgement judge(MarkerRead read, Instant now) {
        if (read instanceof MarkerRead.Absent) {
            return MarkerJudgement.ABSENT;
        }
        if (read instanceof MarkerRead.Unreadable unreadable) {
            return new MarkerJudgement(MarkerStatus.UNREADABLE, IgnoredReason.NONE, null, unreadable.problem());
        }
        if (read instanceof MarkerRead.Unparseable unparseable) {
            if (olderThanMaxAge(null, unparseable.modifiedAt(), now)) {
                return ignored(IgnoredReason.EXPIRED, null,
                        "unparseable marker (" + unparseable.problem() + ") older than max-age " + maxAge);
            }
            return new MarkerJudgement(MarkerStatus.UNPARSEABLE_ACTIVE, IgnoredReason.NONE, null,
                    "unparseable marker treated as a drain: " + unparseable.problem());
        }
        MarkerRead.Present present = (MarkerRead.Present) read;
        DrainMarker marker = present.marker();
        String epoch = marker.epoch();
        if (epoch != null && !epoch.isEmpty() && !currentEpoch.isEmpty() && !epoch.equals(currentEpoch)) {
            return ignored(IgnoredReason.EPOCH_MISMATCH, marker,
                    "marker epoch " + epoch + " is not this instantiation's " + currentEpoch);
        }
        if (marker.leaseExpiresAt() != null) {
            if (!marker.leaseExpiresAt().isAfter(now)) {
                return ignored(IgnoredReason.EXPIRED, marker,
                        "lease expired at " + IsoTimes.format(marker.leaseExpiresAt()));
            }
        } else if (olderThanMaxAge(marker.requestedAt(), present.modifiedAt(), now)) {
            return ignored(IgnoredReason.EXPIRED, marker, "marker with no lease older than max-age " + maxAge);
        }
        return new MarkerJudgement(MarkerStatus.ACTIVE, IgnoredReason.NONE, marker, "");
    }

    /**
     * Age is taken from {@code requestedAt}, or from the file's mtime when that is missing,
     * unparseable or in the future (a clock-skewed writer cannot make a marker immortal).
     */
    private boolean olderThanMaxAge(Instant requestedAt, Instant modifiedAt, Instant now) {
        Instant since = requestedAt != null && !requestedAt.isAfter(now) ? requestedAt : modifiedAt;
        if (since == null) {
            return false;
        }
        return Duration.between(since, now).compareTo(maxAge) > 0;
    }

    private static MarkerJudgement ignored(IgnoredReason reason, DrainMarker marker, String detail) {
        return new MarkerJudgement(MarkerStatus.IGNORED, reason, marker, detail);
    }
}
