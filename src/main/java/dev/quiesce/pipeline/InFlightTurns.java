package dev.quiesce.pipeline;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The registry of running turns: one per session at most, each with its {@link TurnControl}. The
 * only record of which turns run; the gate and the shutdown both read it.
 *
 * <p>Lock-free, so that admissions of different sessions never wait for each other. A turn first
 * {@linkplain #claim claims} its session's slot (which is the BUSY check), then its gate checks the
 * phase again and either {@linkplain #fill fills} the slot (the turn is admitted) or
 * {@linkplain #giveBack gives it back}. A slot is undecided only for those few instructions; a phase
 * change that closes the gate waits until none is ({@link #awaitDecided}), so that afterwards the
 * registry holds every turn admitted under the old phase and no further one can be. Thread-safe.
 */
public final class InFlightTurns {

    /** A registered turn and the way to cut it off. */
    public record Running(TurnInfo turn, TurnControl control) {}

    /** How long {@link #awaitDecided} spins on a slot before it lets other threads run. */
    private static final int SPINS_BEFORE_YIELD = 100;

    /** By session id. */
    private final ConcurrentHashMap<String, Slot> bySession = new ConcurrentHashMap<>();

    /**
     * Claims {@code sessionId}'s slot for a turn about to be checked by the gate.
     *
     * @return the slot, to be filled or given back exactly once; null if the session has one already
     *     (a turn running, or another being admitted): BUSY
     */
    public Slot claim(String sessionId) {
        Slot slot = new Slot(sessionId);
        return bySession.putIfAbsent(sessionId, slot) == null ? slot : null;
    }

    /** The gate admitted the turn: it is registered as running. */
    public void fill(Slot slot, Running running) {
        slot.running = running;
        slot.decided = true;
    }

    /** The gate refused the turn: the session's slot is free again. */
    public void giveBack(Slot slot) {
        slot.decided = true;
        bySession.remove(slot.sessionId, slot);
    }

    /**
     * Removes {@code turn} if it is the one running for its session.
     *
     * @return false if it was not registered (released already, or another turn of the session)
     */
    public boolean remove(TurnInfo turn) {
        Slot slot = bySession.get(turn.sessionId());
        if (slot == null) {
            return false;
        }
        Running running = slot.running;
        return running != null && running.turn().turnId().equals(turn.turnId())
                && bySession.remove(turn.sessionId(), slot);
    }

    /**
     * Returns once no slot is undecided: every admission that checked the phase before the caller
     * changed it has filled its slot or given it back. Slots stay undecided for nanoseconds unless
     * their thread is descheduled, so this spins, then yields.
     */
    public void awaitDecided() {
        for (Slot slot : bySession.values()) {
            for (int spin = 0; !slot.decided; spin++) {
                if (spin < SPINS_BEFORE_YIELD) {
                    Thread.onSpinWait();
                } else {
                    Thread.yield();
                }
            }
        }
    }

    /** The running turns with their controls, oldest first: an immutable copy, O(turns). */
    public List<Running> running() {
        List<Running> running = new ArrayList<>(bySession.size());
        for (Slot slot : bySession.values()) {
            Running filled = slot.running;
            if (filled != null) {
                running.add(filled);
            }
        }
        running.sort(Comparator.comparingLong(r -> r.turn().admittedVersion()));
        return List.copyOf(running);
    }

    /** The running turns, oldest first: an immutable copy, O(turns). */
    public List<TurnInfo> turns() {
        return running().stream().map(Running::turn).toList();
    }

    /** A session's place in the registry, claimed by one turn at a time. */
    public static final class Slot {
        private final String sessionId;
        /** Set once, when the gate admits the turn. */
        private volatile Running running;
        /** True once filled or given back. */
        private volatile boolean decided;

        private Slot(String sessionId) {
            this.sessionId = sessionId;
        }
    }
}
