package dev.quiesce.marker;

import dev.quiesce.home.IsoTimes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Decides whether what was read from the marker file drains this gateway (SPEC §2), and until when.
 *
 * <p>Rules, in order, for a present or unparseable marker:
 * <ol>
 *   <li>an epoch in the marker that differs from a non-empty current epoch: IGNORED/EPOCH_MISMATCH;
 *   <li>a {@code lease_expires_at}: the lease ends then, but never later than max-lease after the
 *       lease was granted ({@code renewed_at}, else {@code requested_at}) — a hand-written lease in
 *       2099 cannot wedge the gateway. Ended: IGNORED/EXPIRED;
 *   <li>no lease, and older than max-age (from {@code requested_at}, else the file's mtime):
 *       IGNORED/EXPIRED;
 *   <li>otherwise ACTIVE (UNPARSEABLE_ACTIVE for a file that is not a JSON object), with the instant
 *       it ends by itself.
 * </ol>
 * A time that is missing, unparseable or in the future does not count: the next one in the list
 * does, and last comes the moment this gateway first saw the file as it is, so no marker lives
 * forever. When a cap or a fallback applied, the judgement's detail says which. An unreadable file is
 * UNREADABLE and, like an absent one, does not drain.
 *
 * <p>Thread-safe. It remembers when it first saw the current file ({@link FirstSeen}); otherwise
 * immutable.
 */
public final class MarkerJudge {

    /** The max-lease when none is given: the default of {@code quiesce.drain.max-lease}. */
    public static final Duration DEFAULT_MAX_LEASE = Duration.ofHours(24);

    private final String currentEpoch;
    private final Duration maxAge;
    private final Duration maxLease;
    private final FirstSeen firstSeen = new FirstSeen();

    /** With the default max-lease of 24 h. */
    public MarkerJudge(String currentEpoch, Duration maxAge) {
        this(currentEpoch, maxAge, DEFAULT_MAX_LEASE);
    }

    /**
     * @param currentEpoch this instantiation's epoch; {@code ""} disables rule 1
     * @param maxAge the age past which a marker with no lease is ignored
     * @param maxLease the longest a lease holds after it was granted
     */
    public MarkerJudge(String currentEpoch, Duration maxAge, Duration maxLease) {
        this.currentEpoch = currentEpoch == null ? "" : currentEpoch;
        this.maxAge = maxAge;
        this.maxLease = maxLease;
    }

    /** This instantiation's epoch, as stamped into markers Quiesce writes. */
    public String currentEpoch() {
        return currentEpoch;
    }

    /** Judges {@code read} as of {@code now}. Never throws. */
    public MarkerJudgement judge(MarkerRead read, Instant now) {
        if (read instanceof MarkerRead.Absent) {
            firstSeen.forget();
            return MarkerJudgement.ABSENT;
        }
        if (read instanceof MarkerRead.Unreadable unreadable) {
            return new MarkerJudgement(MarkerStatus.UNREADABLE, IgnoredReason.NONE, null, unreadable.problem());
        }
        Instant seen = firstSeen.of(read, now);
        if (read instanceof MarkerRead.Unparseable unparseable) {
            Since since = Since.first(now, seen, new Since("the file's mtime", unparseable.modifiedAt()));
            Instant end = since.at().plus(maxAge);
            String what = "unparseable marker (" + unparseable.problem() + ")";
            return now.isAfter(end)
                    ? ignored(IgnoredReason.EXPIRED, null, what + " older than max-age " + maxAge + since.note())
                    : new MarkerJudgement(MarkerStatus.UNPARSEABLE_ACTIVE, IgnoredReason.NONE, null,
                            "unparseable marker treated as a drain: " + unparseable.problem() + since.note(), end);
        }
        MarkerRead.Present present = (MarkerRead.Present) read;
        DrainMarker marker = present.marker();
        String epoch = marker.epoch();
        if (epoch != null && !epoch.isEmpty() && !currentEpoch.isEmpty() && !epoch.equals(currentEpoch)) {
            return ignored(IgnoredReason.EPOCH_MISMATCH, marker,
                    "marker epoch " + epoch + " is not this instantiation's " + currentEpoch);
        }
        if (marker.leaseExpiresAt() != null) {
            return judgeLease(marker, seen, now);
        }
        Since since = Since.first(now, seen, new Since("requested_at", marker.requestedAt()),
                new Since("the file's mtime", present.modifiedAt()));
        Instant end = since.at().plus(maxAge);
        if (now.isAfter(end)) {
            return ignored(IgnoredReason.EXPIRED, marker, "marker with no lease older than max-age " + maxAge + since.note());
        }
        return new MarkerJudgement(MarkerStatus.ACTIVE, IgnoredReason.NONE, marker, since.note().strip(), end);
    }

    private MarkerJudgement judgeLease(DrainMarker marker, Instant seen, Instant now) {
        Instant lease = marker.leaseExpiresAt();
        Since granted = Since.first(now, seen, new Since("renewed_at", marker.renewedAt()),
                new Since("requested_at", marker.requestedAt()));
        Instant cap = granted.at().plus(maxLease);
        boolean capped = lease.isAfter(cap);
        Instant end = capped ? cap : lease;
        String rule = capped ? "lease_expires_at " + IsoTimes.format(lease) + " is more than max-lease " + maxLease
                + " after " + granted.describe() + ": capped at " + IsoTimes.format(cap) : "";
        if (!end.isAfter(now)) {
            return ignored(IgnoredReason.EXPIRED, marker,
                    capped ? rule + ", which has passed" : "lease expired at " + IsoTimes.format(lease));
        }
        return new MarkerJudgement(MarkerStatus.ACTIVE, IgnoredReason.NONE, marker, rule, end);
    }

    private static MarkerJudgement ignored(IgnoredReason reason, DrainMarker marker, String detail) {
        return new MarkerJudgement(MarkerStatus.IGNORED, reason, marker, detail);
    }

    /**
     * A time a marker's age or lease is counted from.
     *
     * @param name what it is, for the judgement's detail
     * @param at when; null when the marker does not give it
     * @param skipped the times passed over because they lie in the future; empty when none
     */
    private record Since(String name, Instant at, String skipped) {

        private static final String FIRST_SEEN = "when this gateway first saw the file";

        Since(String name, Instant at) {
            this(name, at, "");
        }

        /** The first candidate that is given and not in the future; else when the file was first seen. */
        static Since first(Instant now, Instant firstSeen, Since... candidates) {
            List<String> skipped = new ArrayList<>();
            for (Since candidate : candidates) {
                if (candidate.at() == null) {
                    continue;
                }
                if (!candidate.at().isAfter(now)) {
                    return new Since(candidate.name(), candidate.at(), String.join(", ", skipped));
                }
                skipped.add(candidate.name() + " " + IsoTimes.format(candidate.at()) + " is in the future");
            }
            return new Since(FIRST_SEEN, firstSeen, String.join(", ", skipped));
        }

        /** Which time this is, with why the marker's own times were passed over, if they were. */
        String describe() {
            return name + " " + IsoTimes.format(at) + (skipped.isEmpty() ? "" : " (" + skipped + ")");
        }

        /** Says which time counted, when it is not the marker's own first choice; empty otherwise. */
        String note() {
            if (skipped.isEmpty() && !name.equals(FIRST_SEEN)) {
                return "";
            }
            return " (counted from " + name + ", " + IsoTimes.format(at)
                    + (skipped.isEmpty() ? "" : ", because " + skipped) + ")";
        }
    }
}
