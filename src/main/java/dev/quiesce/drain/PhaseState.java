package dev.quiesce.drain;

import dev.quiesce.marker.MarkerJudgement;
import dev.quiesce.pipeline.Admission;
import dev.quiesce.pipeline.InFlightTurns;
import dev.quiesce.pipeline.TurnControl;
import dev.quiesce.pipeline.TurnInfo;
import java.lang.invoke.VarHandle;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * The drain state itself — phase, drain, marker judgement, running turns, version — and the gate.
 *
 * <p>Every change of the phase, the drain or the judgement is a {@link Core} transition applied by
 * {@link #update} under {@link #lock}, the one place that enforces "shutdown wins"; it makes a
 * snapshot of its version and hands it to the listeners after the lock is released.
 *
 * <p><b>The gate takes no lock</b>, so admissions never wait for each other (two threads admitting at
 * once would otherwise hand one lock back and forth, and wait out each other's preemption on a busy
 * machine). A turn claims its session's slot in {@link InFlightTurns}, looks at the phase again,
 * then counts itself in {@link #gateLine} (which also makes its version) and fills the slot. A
 * transition that closes the gate writes the phase first and then waits until no slot is
 * undecided: the claim and the second look on one side and the phase write and the wait on the
 * other are ordered by full fences, so every turn either saw the old phase and is registered and
 * counted before the transition makes its version — listed in its snapshot, admitted under an older
 * version — or sees the new phase and is refused. Once BeginDrain has replied, no user turn starts.
 *
 * <p>A turn's start or end makes a version but no snapshot (a snapshot lists every running turn:
 * making one per admission made admission O(turns in flight)); the listeners are told of the turn
 * instead, and {@link #current()} builds the snapshot of the newest version when it is read. The
 * count of running turns and so {@code drained} are exact at every version; the list of a snapshot
 * built while turns start and end is read in the moment after. Thread-safe.
 */
final class PhaseState {

    /** What a transition changes. Immutable. */
    record Core(Phase phase, ActiveDrain drain, MarkerJudgement marker) {}

    /** {@link #gateLine}: the low bits count the running turns, the high bits are the version. */
    private static final int COUNT_BITS = 24;
    private static final long ONE_VERSION = 1L << COUNT_BITS;
    private static final long COUNT_MASK = ONE_VERSION - 1;

    private final Clock clock;
    private final ListenerFanOut fanOut;
    private final String markerPath;
    private final String epoch;
    private final String turnIdPrefix = Ids.random(3) + "-";

    /**
     * Serialises transitions, inbox updates and the making of snapshots; held for in-memory work
     * only, never across I/O, and never taken by an admission or a release.
     */
    private final ReentrantLock lock = new ReentrantLock();
    /** On {@link #lock}: signalled when the last running turn is released while someone waits. */
    private final Condition idle = lock.newCondition();
    private final AtomicInteger idleWaiters = new AtomicInteger();
    /** Written under {@link #lock}, read by the gate without it. */
    private volatile Core core = new Core(Phase.STARTING, null, MarkerJudgement.ABSENT);
    /** Written under {@link #lock}. */
    private volatile InboxSummary inbox = InboxSummary.EMPTY;
    /** Written under {@link #lock}: see {@link DrainStateBean#pause()}. The start is the first pause. */
    private volatile long pauses = 1;
    /**
     * The gate word, {@code version << COUNT_BITS | running turns}: one atomic word, so a version's
     * count is exact. It is the middle element of {@link #gateLine}, and the others stay unused, so that
     * no other field shares its cache line: with two threads admitting, a neighbour written on one core
     * made every admission on the other miss (the gate benchmark with 2 threads: 750 → 240 ns).
     */
    private static final int GATE = 7;
    private final AtomicLongArray gateLine = new AtomicLongArray(2 * GATE + 1);
    private final InFlightTurns turns = new InFlightTurns();
    /** {@link #current}, as the turn changes hand it to the listeners (one object, not one per turn). */
    private final Supplier<DrainSnapshot> currentState = this::current;
    /** The newest snapshot made; older than {@link #gateLine}'s version after a turn started or ended. */
    private volatile DrainSnapshot latest;

    PhaseState(Clock clock, ListenerFanOut fanOut, String markerPath, String epoch) {
        this.clock = clock;
        this.fanOut = fanOut;
        this.markerPath = markerPath;
        this.epoch = epoch;
        this.latest = snapshot(gate(), clock.instant());
    }

    /** The snapshot of the newest version: lock-free when it was made already, else made now (O(turns)). */
    DrainSnapshot current() {
        DrainSnapshot known = latest;
        if (known.version() == versionOf(gate())) {
            return known;
        }
        lock.lock();
        try {
            long now = gate();
            return latest.version() == versionOf(now) ? latest : publishLatest(snapshot(now, clock.instant()));
        } finally {
            lock.unlock();
        }
    }

    /** The phase now. Lock-free, O(1). */
    Phase phase() {
        return core.phase();
    }

    /** How many turns run now. Lock-free, O(1). */
    int inFlight() {
        return countOf(gate());
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
            Core before = core;
            Core next = transition.apply(before);
            if (next.equals(before) || leavesShutdown(before.phase(), next.phase())) {
                return null;
            }
            if (before.phase() == Phase.RUNNING && next.phase() != Phase.RUNNING) {
                pauses++;
            }
            core = next;
            VarHandle.fullFence(); // the phase is written before the slots are looked at: see the class comment
            if (closesGate(before.phase(), next.phase())) {
                turns.awaitDecided();
            }
            after = publishLatest(snapshot(addToGate(ONE_VERSION), clock.instant()));
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
            after = publishLatest(snapshot(addToGate(ONE_VERSION), clock.instant()));
        } finally {
            lock.unlock();
        }
        fanOut.publish(after);
    }

    /** The gate: see {@link DrainStateBean#tryAdmit}. Lock-free. */
    Admission tryAdmit(String sessionId, String channel, boolean internal,
            Function<TurnInfo, ? extends TurnControl> control) {
        Core seen = core;
        Admission.Why refused = refusedIn(seen.phase(), internal);
        if (refused != null) {
            return new Admission.Refused(refused, pauses);
        }
        InFlightTurns.Slot slot = turns.claim(sessionId);
        if (slot == null) {
            return new Admission.Refused(Admission.Why.BUSY, pauses);
        }
        VarHandle.fullFence(); // the claim is visible before the second look: see the class comment
        Core now = core;
        refused = now == seen ? null : refusedIn(now.phase(), internal);
        if (refused != null) {
            turns.giveBack(slot);
            return new Admission.Refused(refused, pauses);
        }
        long counted = addToGate(ONE_VERSION + 1);
        long made = versionOf(counted); // unique: the turn's id too
        TurnInfo turn = new TurnInfo(turnIdPrefix + made, sessionId, channel == null ? "" : channel, clock.instant(),
                internal, made - 1);
        TurnControl turnControl = control.apply(turn);
        turns.fill(slot, new InFlightTurns.Running(turn, turnControl));
        turnChanged(turn, true, counted);
        return new Admission.Admitted(turn, turnControl);
    }

    /** The gate's look without admitting: see {@link DrainStateBean#pausedFor}. Lock-free. */
    Admission.Refused pausedFor(boolean internal) {
        Admission.Why refused = refusedIn(core.phase(), internal);
        return refused == null ? null : new Admission.Refused(refused, pauses);
    }

    /** Why the gate refuses a turn in {@code phase}; null when it may start there. */
    private static Admission.Why refusedIn(Phase phase, boolean internal) {
        return phase == Phase.RUNNING || phase == Phase.DRAINING && internal ? null
                : phase.isShuttingDown() ? Admission.Why.STOPPING : Admission.Why.DRAINING;
    }

    /** True if {@code to} admits fewer turns than {@code from}: the turns admitted under it must all be counted. */
    private static boolean closesGate(Phase from, Phase to) {
        return from == Phase.RUNNING ? to != Phase.RUNNING : from == Phase.DRAINING && to.isShuttingDown();
    }

    /** The gate's release: see {@link DrainStateBean#release}. Lock-free unless someone waits for idle. */
    boolean release(TurnInfo turn) {
        if (!turns.remove(turn)) {
            return false;
        }
        long counted = addToGate(ONE_VERSION - 1);
        if (countOf(counted) == 0 && idleWaiters.get() > 0) {
            lock.lock();
            try {
                idle.signalAll();
            } finally {
                lock.unlock();
            }
        }
        turnChanged(turn, false, counted);
        return true;
    }

    long pauses() {
        return pauses;
    }

    List<InFlightTurns.Running> running() {
        return turns.running();
    }

    /** @return true if no turn is running (now, or before {@code timeout} passed) */
    boolean awaitIdle(Duration timeout) {
        long remaining = timeout.toNanos();
        lock.lock();
        idleWaiters.incrementAndGet(); // before the count is read: a release that empties it then signals
        try {
            while (inFlight() > 0) {
                if (remaining <= 0) {
                    return false;
                }
                remaining = idle.awaitNanos(remaining);
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return inFlight() == 0;
        } finally {
            idleWaiters.decrementAndGet();
            lock.unlock();
        }
    }

    /**
     * Tells the listeners of a turn's start or end. When it changed {@code drained} (DRAINING, and the
     * count went to or from zero) they get the new snapshot too, as for any other change of state.
     */
    private void turnChanged(TurnInfo turn, boolean started, long counted) {
        fanOut.turn(new TurnChange(turn, started, versionOf(counted), currentState));
        if (countOf(counted) == (started ? 1 : 0) && core.phase() == Phase.DRAINING) {
            fanOut.publish(current());
        }
    }

    private static boolean leavesShutdown(Phase from, Phase to) {
        return from.isShuttingDown() && to != from && !(from == Phase.STOPPING && to == Phase.STOPPED);
    }

    /** Keeps the newer of {@link #latest} and {@code made}; under {@link #lock}. */
    private DrainSnapshot publishLatest(DrainSnapshot made) {
        if (made.version() > latest.version()) {
            latest = made;
        }
        return made;
    }

    /** The snapshot of the version in {@code counted}, with its exact count; the list is read now. */
    private DrainSnapshot snapshot(long counted, Instant at) {
        Core c = core;
        return new DrainSnapshot(c.phase(), c.drain(), turns.turns(), countOf(counted), c.marker(), markerPath, epoch,
                versionOf(counted), at, inbox);
    }

    private long gate() {
        return gateLine.get(GATE);
    }

    private long addToGate(long delta) {
        return gateLine.addAndGet(GATE, delta);
    }

    private static long versionOf(long counted) {
        return counted >>> COUNT_BITS;
    }

    private static int countOf(long counted) {
        return (int) (counted & COUNT_MASK);
    }
}
