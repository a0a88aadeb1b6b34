package dev.quiesce.pipeline;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * The registry of running turns: one per session at most, in admission order, each with its
 * {@link TurnControl}. The only record of which turns run; the gate and the shutdown both read it.
 *
 * <p>Not thread-safe by design: it belongs to an {@link AcceptGate}, which reads and changes it only
 * under the lock that also guards the phase, so the gate check and the registration are one step.
 */
public final class InFlightTurns {

    /** A registered turn and the way to cut it off. */
    public record Running(TurnInfo turn, TurnControl control) {}

    /** By session id; insertion order is admission order (a session's entry is removed before it re-enters). */
    private final LinkedHashMap<String, Running> bySession = new LinkedHashMap<>();

    /** True if {@code sessionId} has a turn running. */
    public boolean isBusy(String sessionId) {
        return bySession.containsKey(sessionId);
    }

    /**
     * Registers {@code turn}.
     *
     * @throws IllegalStateException if its session already has one (the gate checks {@link #isBusy} first)
     */
    public void add(TurnInfo turn, TurnControl control) {
        Running previous = bySession.putIfAbsent(turn.sessionId(), new Running(turn, control));
        if (previous != null) {
            throw new IllegalStateException("session " + turn.sessionId() + " already has turn "
                    + previous.turn().turnId() + " running");
        }
    }

    /**
     * Removes {@code turn} if it is the one registered for its session.
     *
     * @return false if it was not registered (released already, or another turn of the session)
     */
    public boolean remove(TurnInfo turn) {
        Running registered = bySession.get(turn.sessionId());
        if (registered == null || !registered.turn().turnId().equals(turn.turnId())) {
            return false;
        }
        bySession.remove(turn.sessionId());
        return true;
    }

    public int size() {
        return bySession.size();
    }

    public boolean isEmpty() {
        return bySession.isEmpty();
    }

    /** The running turns, oldest first: an immutable copy. */
    public List<TurnInfo> turns() {
        List<TurnInfo> turns = new ArrayList<>(bySession.size());
        for (Running running : bySession.values()) {
            turns.add(running.turn());
        }
        return List.copyOf(turns);
    }

    /** The running turns with their controls, oldest first: an immutable copy. */
    public List<Running> running() {
        return List.copyOf(bySession.values());
    }
}
