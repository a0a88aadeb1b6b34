package dev.quiesce.testing;

import dev.quiesce.drain.DrainListener;
import dev.quiesce.drain.DrainSnapshot;
import dev.quiesce.drain.Phase;
import dev.quiesce.drain.TurnChange;
import dev.quiesce.pipeline.TurnInfo;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A test-only {@link DrainListener} (a bean of every {@code @QuarkusTest} application, idle until
 * {@link #start()}): records every turn that starts, and which user turns were seen in flight during
 * each drain — in the published snapshots and in the state read at each turn's start.
 *
 * <p>It sees every admitted turn: {@code tryAdmit} tells the listeners of the start before it
 * returns. Thread-safe.
 */
@ApplicationScoped
public class TurnRecorder implements DrainListener {

    private volatile boolean recording;
    private final Map<String, TurnInfo> turns = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> userTurnsByDrain = new ConcurrentHashMap<>();

    /** Forgets what was recorded and starts recording. */
    public void start() {
        turns.clear();
        userTurnsByDrain.clear();
        recording = true;
    }

    public void stop() {
        recording = false;
    }

    /** Every turn seen in flight while recording, by turn id. */
    public Map<String, TurnInfo> turns() {
        return Map.copyOf(turns);
    }

    /** The ids of the user (non-internal) turns seen in flight in a DRAINING snapshot, by drain id. */
    public Map<String, Set<String>> userTurnsByDrain() {
        return Map.copyOf(userTurnsByDrain);
    }

    @Override
    public void onTurn(TurnChange change) {
        if (recording && change.started()) {
            turns.putIfAbsent(change.turn().turnId(), change.turn());
            onChange(change.state().get());
        }
    }

    @Override
    public void onChange(DrainSnapshot snapshot) {
        if (!recording) {
            return;
        }
        for (TurnInfo turn : snapshot.inFlight()) {
            turns.putIfAbsent(turn.turnId(), turn);
            if (snapshot.phase() == Phase.DRAINING && snapshot.drain() != null && !turn.internal()) {
                userTurnsByDrain.computeIfAbsent(snapshot.drain().drainId(), id -> ConcurrentHashMap.newKeySet())
                        .add(turn.turnId());
            }
        }
    }
}
