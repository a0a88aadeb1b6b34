package dev.quiesce.drain;

import dev.quiesce.home.LogOnce;
import dev.quiesce.marker.DrainMarkerStore;
import dev.quiesce.marker.MarkerJudge;
import dev.quiesce.marker.MarkerJudgement;
import io.quarkus.logging.Log;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Brings the drain state in line with the marker file: reads and judges it, applies what the judgement
 * means ({@link MarkerDrains#reconciled}), schedules the check for when an active marker ends, and
 * tells the listeners what a change made on disk did (a drain adopted, cancelled or expired).
 *
 * <p>Callers hold the control lock ({@link MarkerControl#serialised}). Never throws: a failure is
 * logged once per cause and the next reconcile tries again.
 */
final class Reconciler {

    private final DrainMarkerStore store;
    private final MarkerJudge judge;
    private final PhaseState state;
    private final LeaseTimer leaseTimer;
    private final JudgementLog judgementLog;
    private final ListenerFanOut fanOut;
    private final Clock clock;
    private final LogOnce<String> failure = LogOnce.tracker();

    Reconciler(DrainMarkerStore store, MarkerJudge judge, PhaseState state, LeaseTimer leaseTimer,
            JudgementLog judgementLog, ListenerFanOut fanOut, Clock clock) {
        this.store = store;
        this.judge = judge;
        this.state = state;
        this.leaseTimer = leaseTimer;
        this.judgementLog = judgementLog;
        this.fanOut = fanOut;
        this.clock = clock;
    }

    /**
     * @param trigger what caused it, for the log and the audit detail
     * @return null, so it fits {@link MarkerControl#serialised}
     */
    Void reconcile(String trigger) {
        try {
            Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
            MarkerJudgement judged = judge.judge(store.read(), now);
            judgementLog.judged(judged);
            AtomicReference<PhaseState.Core> before = new AtomicReference<>();
            DrainSnapshot after = state.update(core -> {
                before.set(core);
                return MarkerDrains.reconciled(core, judged, now);
            });
            if (after != null) {
                if (after.drain() != null) {
                    // its lease, or (no lease) the end of its max-age: expiry does not wait for a tick
                    leaseTimer.schedule(after.marker().expiresAt());
                }
                DrainEvent event = MarkerDrains.eventOf(before.get(), after, judged, trigger, now);
                if (event != null) {
                    Log.infof("Drain %s: %s (%s)", event.drainId(), event.outcome(), event.detail());
                    fanOut.emit(event);
                }
            }
            failure.clear();
        } catch (RuntimeException e) {
            if (failure.isNew(e.toString())) {
                Log.errorf(e, "Marker reconcile (%s) failed; the state is unchanged (logged once per cause)", trigger);
            }
        }
        return null;
    }
}
