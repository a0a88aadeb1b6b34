package dev.quiesce.drain;

import dev.quiesce.home.LogOnce;
import dev.quiesce.marker.IgnoredReason;
import dev.quiesce.marker.MarkerJudgement;
import dev.quiesce.marker.MarkerStatus;
import io.quarkus.logging.Log;
import java.nio.file.Path;

/**
 * Logs how the marker file is judged when that changes — not on every poll tick that finds it the
 * same. A judgement differs when its status, ignored reason or detail does (a renewed lease alone
 * is not news). Thread-safe.
 */
final class JudgementLog {

    /** What makes a judgement news. */
    private record Key(MarkerStatus status, IgnoredReason reason, String detail) {
        static Key of(MarkerJudgement judgement) {
            return new Key(judgement.status(), judgement.ignoredReason(), judgement.detail());
        }
    }

    private final Path markerPath;
    private final LogOnce<Key> logged = LogOnce.tracker();

    JudgementLog(Path markerPath) {
        this.markerPath = markerPath;
        logged.isNew(Key.of(MarkerJudgement.ABSENT)); // a home without a marker is not news at start
    }

    /** A reconcile judged the file so: logged if that is news. */
    void judged(MarkerJudgement judged) {
        if (!logged.isNew(Key.of(judged))) {
            return;
        }
        switch (judged.status()) {
            case IGNORED -> Log.warnf("Drain marker %s ignored (%s): %s", markerPath, judged.ignoredReason(),
                    judged.detail());
            case UNREADABLE -> Log.warnf("Drain marker %s unreadable, treated as absent: %s", markerPath,
                    judged.detail());
            case UNPARSEABLE_ACTIVE -> Log.warnf("Drain marker %s: %s", markerPath, judged.detail());
            case ACTIVE -> Log.infof("Drain marker %s active", markerPath);
            case ABSENT -> Log.infof("No drain marker at %s", markerPath);
        }
    }

    /** The gateway itself wrote or removed the file with this result: nothing for a reconcile to announce. */
    void wroteItself(MarkerJudgement result) {
        logged.isNew(Key.of(result));
    }
}
