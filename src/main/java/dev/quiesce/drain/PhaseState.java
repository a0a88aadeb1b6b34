package dev.quiesce.drain;

import dev.quiesce.marker.MarkerJudgement;
import dev.quiesce.pipeline.Admission;
import dev.quiesce.pipeline.InFlightTurns;
import dev.quiesce.pipeline.TurnControl;
import dev.quiesce.pipeline.TurnInfo;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * The drain state itself — phase, drain, marker judgement, running turns, version — behind one lock,
 * with the gate on the same lock: a turn is admitted under the phase it sees, or not at all.
 *
 * <p>Every change of the phase, the drain or the judgement is a {@link Core} transition applied by
 * {@link #update}, the one place that enforces "shutdown wins". Each new version is handed to the
 * listeners after the lock is released. Thread-safe.
 */
final class PhaseState {

    /** What a transition changes. Immutable. */
    record Core(Phase phase, ActiveDrain drain, MarkerJudgement marker) {}

    private final Clock clock;
    private final ListenerFanOut fanOut;
    private final String markerPath;
    private final String epoch;
    private final String turnIdPrefix = Ids.random(3) + "-";
    private final AtomicLong turnCounter = new AtomicLong();

    /**
     * Guards {@link #core}, {@link #inbox}, {@link #turns} and {@link #version}; held for in-memory
     * updates only, never across I/O.
     */
    private final ReentrantLock lock = new ReentrantLock();
    /** On {@link #lock}: signalled whenever a turn is released. */
    private final Condition turnReleased = lock.newCondition();
    private Core core = new Core(Phase.STARTING, null, MarkerJudgement.ABSENT);
    private InboxSummary inbox = InboxSummary.EMPTY;
    /** Written under {@link #lock}: see {@link DrainStateBean#pause()}. The start is the first pause. */
    private volatile long pauses = 1;
    private final InFlightTurns turns = new InFlightTurns();
    private long version;
    /** The snapshot of the newest version; written under {@link #lock}, read without it. */
    private volatile DrainSnapshot latest;

    PhaseState(Clock clock, ListenerFanOut fanOut, String markerPath, String epoch) {
        this.clock = clock;
        this.fanOut = fanOut;
        this.markerPath = markerPath;
        this.epoch = epoch;
        this.latest = snapshotLocked(clock.instant());
    }

    /** The newest snapshot. Lock-free. */
    DrainSnapshot current() {
        return latest;
    }

    /**
     * Applies {@code transition} to the core atomically. Nothing leaves STOPPING but to STOPPED, and
     * nothing leaves STOPPED: such a transition is refused and changes nothing.
     *
     * @return the new snapshot, published already; null when the transition changed nothing or was
     *     refused (the caller tells the two apart by {@link #current()}'s phase)
     */
    DrainSnapshot update(UnaryOperator<Core> transition) {
        DrainSnapshot after;
        lock.lock();
        try {
            Core next = transition.apply(core);
            if (next.equals(core) || leavesShutdown(core.phase(), next.phase())) {
                return null;
            }
            if (core.phase() == Phase.RUNNING && next.phase() != Phase.RUNNING) {
                pauses++;
            }
            core = next;
            after = bumpLocked(clock.instant());
        } finally {
            lock.unlock();
        }
        fanOut.publish(after);
        return after;
    }

    /** Records what the inbox holds: a new version when it changed. */
    void updateInbox(InboxSummary summary) {
        DrainSnapshot after;
        lock.lock();
        try {
            if (summary.equals(inbox)) {
                return;
            }
            inbox = summary;
            after = bumpLocked(clock.instant());
        } finally {
            lock.unlock();
        }
        fanOut.publish(after);
    }

    /** The gate: see {@link DrainStateBean#tryAdmit}. */
    Admission tryAdmit(String sessionId, String channel, boolean internal,
            Function<TurnInfo, ? extends TurnControl> control) {
        DrainSnapshot after;
        TurnInfo turn;
        TurnControl made;
        lock.lock();
        try {
            Admission.Why refused = refusedIn(core.phase(), internal);
            if (refused == null && turns.isBusy(sessionId)) {
                refused = Admission.Why.BUSY;
            }
            if (refused != null) {
                return new Admission.Refused(refused, pauses);
            }
            Instant now = clock.instant();
            turn = new TurnInfo(turnIdPrefix + turnCounter.incrementAndGet(), sessionId,
                    channel == null ? "" : channel, now, internal, version);
            made = control.apply(turn);
            turns.add(turn, made);
            after = bumpLocked(now);
        } finally {
            lock.unlock();
        }
        fanOut.publish(after);
        return new Admission.Admitted(turn, made);
    }

    /** The gate's look without admitting: see {@link DrainStateBean#pausedFor}. */
    Admission.Refused pausedFor(boolean internal) {
        lock.lock();
        try {
            Admission.Why refused = refusedIn(core.phase(), internal);
            return refused == null ? null : new Admission.Refused(refused, pauses);
        } finally {
            lock.unlock();
        }
    }

    /** Why the gate refuses a turn in {@code phase}; null when it may start there. */
    private static Admission.Why refusedIn(Phase phase, boolean internal) {
        return phase == Phase.RUNNING || phase == Phase.DRAINING && internal ? null
                : phase.isShuttingDown() ? Admission.Why.STOPPING : Admission.Why.DRAINING;
    }

    /** The gate's release: see {@link DrainStateBean#release}. */
    boolean release(TurnInfo turn) {
        DrainSnapshot after;
        lock.lock();
        try {
            if (!turns.remove(turn)) {
                return false;
            }
            turnReleased.signalAll();
            after = bumpLocked(clock.instant());
        } finally {
            lock.unlock();
        }
        fanOut.publish(after);
        return true;
    }

    long pauses() {
        return pauses;
    }

    List<InFlightTurns.Running> running() {
        lock.lock();
        try {
            return turns.running();
        } finally {
            lock.unlock();
        }
    }

    /** @return true if no turn is running (now, or before {@code timeout} passed) */
    boolean awaitIdle(Duration timeout) {
        long remaining = timeout.toNanos();
        lock.lock();
        try {
            while (!turns.isEmpty()) {
                if (remaining <= 0) {
                    return false;
                }
                remaining = turnReleased.awaitNanos(remaining);
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return turns.isEmpty();
        } finally {
            lock.unlock();
        }
    }

    private static boolean leavesShutdown(Phase from, Phase to) {
        return from.isShuttingDown() && to != from && !(from == Phase.STOPPING && to == Phase.STOPPED);
    }

    private DrainSnapshot bumpLocked(Instant at) {
        version++;
        latest = snapshotLocked(at);
        return latest;
    }

    private DrainSnapshot snapshotLocked(Instant at) {
        return new DrainSnapshot(core.phase(), core.drain(), turns.turns(), core.marker(), markerPath, epoch, version, at,
                inbox);
    }
}
