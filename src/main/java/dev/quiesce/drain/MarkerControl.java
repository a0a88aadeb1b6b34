package dev.quiesce.drain;

import dev.quiesce.marker.DrainMarker;
import dev.quiesce.marker.DrainMarkerStore;
import dev.quiesce.marker.IgnoredReason;
import dev.quiesce.marker.MarkerJudgement;
import dev.quiesce.marker.MarkerStatus;
import dev.quiesce.marker.MarkerWriteException;
import io.quarkus.logging.Log;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * A control call's change, durable first: the marker file is written or removed, then the state
 * moves. If the file operation fails, nothing changes (MARKER_UNAVAILABLE). If shutdown began while
 * the file operation ran — a slow disk outlasts the shutdown's wait — the state cannot move any more,
 * so the file is put back as it was and the call is refused (SHUTTING_DOWN): the file, memory and
 * what the caller is told agree, and the shutdown's suppression decision reads the file as it was.
 *
 * <p>Owns the control lock, which serialises everything that touches the marker file — begin,
 * cancel, reconcile, the shutdown's last read — so the file and memory never disagree. It is held
 * across file I/O and never taken by turn admission, which waits only for {@link PhaseState}'s lock.
 * {@link #write} and {@link #remove} must be called under it ({@link #serialised}). Thread-safe.
 */
final class MarkerControl {

    private final ReentrantLock controlLock = new ReentrantLock();
    private final DrainMarkerStore store;
    private final PhaseState state;
    private final JudgementLog judgementLog;

    MarkerControl(DrainMarkerStore store, PhaseState state, JudgementLog judgementLog) {
        this.store = store;
        this.state = state;
        this.judgementLog = judgementLog;
    }

    /** Runs {@code work} holding the control lock. */
    <T> T serialised(Supplier<T> work) {
        controlLock.lock();
        try {
            return work.get();
        } finally {
            controlLock.unlock();
        }
    }

    /**
     * Runs {@code work} holding the control lock, if it can be had within {@code wait}.
     *
     * @return its result, or empty when another holder kept the lock for longer (or the thread was interrupted)
     */
    <T> Optional<T> serialisedWithin(Duration wait, Supplier<T> work) {
        boolean locked = false;
        try {
            locked = controlLock.tryLock(wait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!locked) {
            return Optional.empty();
        }
        try {
            return Optional.of(work.get());
        } finally {
            controlLock.unlock();
        }
    }

    /**
     * Writes {@code marker}, then moves to DRAINING with {@code drain}.
     *
     * @param call the API call, for the log (e.g. "BeginDrain")
     * @param action what it does, for a refusal (e.g. "begin a drain")
     * @param ifUnavailable what a failed write means for the caller, in words
     * @throws DrainRefusedException MARKER_UNAVAILABLE or SHUTTING_DOWN; nothing changed
     */
    DrainSnapshot write(DrainMarker marker, ActiveDrain drain, String call, String action, String ifUnavailable) {
        DrainMarkerStore.Saved previous = store.save();
        try {
            store.write(marker);
        } catch (MarkerWriteException e) {
            throw unavailable(call, e, ifUnavailable);
        }
        return settle(new PhaseState.Core(Phase.DRAINING, drain,
                new MarkerJudgement(MarkerStatus.ACTIVE, IgnoredReason.NONE, marker, "", drain.leaseExpiresAt())), previous,
                call, action);
    }

    /**
     * Removes the marker, then moves to RUNNING with no drain.
     *
     * @throws DrainRefusedException MARKER_UNAVAILABLE or SHUTTING_DOWN; nothing changed
     */
    DrainSnapshot remove(String call, String action, String ifUnavailable) {
        DrainMarkerStore.Saved previous = store.save();
        try {
            store.remove();
        } catch (MarkerWriteException e) {
            throw unavailable(call, e, ifUnavailable);
        }
        return settle(new PhaseState.Core(Phase.RUNNING, null, MarkerJudgement.ABSENT), previous, call, action);
    }

    private DrainSnapshot settle(PhaseState.Core next, DrainMarkerStore.Saved previous, String call, String action) {
        DrainSnapshot after = state.update(core -> next);
        Phase phase = state.current().phase();
        if (after != null || !phase.isShuttingDown()) {
            judgementLog.wroteItself(next.marker()); // our own change: nothing for a reconcile to announce
            return after != null ? after : state.current();
        }
        try {
            store.restore(previous);
            Log.infof("%s refused: shutdown began while it changed the marker file; the file is back as it was",
                    call);
        } catch (MarkerWriteException e) {
            Log.errorf("%s refused: shutdown began while it changed the marker file, and it could not be put back "
                    + "(%s); the shutdown reads it as it stands", call, e.getMessage());
        }
        throw DrainRefusedException.shuttingDown(phase, action);
    }

    private static DrainRefusedException unavailable(String call, MarkerWriteException e, String ifUnavailable) {
        Log.warnf("%s refused: %s", call, e.getMessage());
        return new DrainRefusedException(DrainRefusedException.Reason.MARKER_UNAVAILABLE,
                e.getMessage() + "; " + ifUnavailable, e);
    }
}
