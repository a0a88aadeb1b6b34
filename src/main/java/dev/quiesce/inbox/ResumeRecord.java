package dev.quiesce.inbox;

import dev.quiesce.pipeline.TurnInfo;
import java.util.Map;

/**
 * What a shutdown recorded for resumption (SPEC §10): the running turns that have a {@code resume}
 * entry in the inbox, by turn id. A turn recorded here that the shutdown cuts off runs again by
 * itself after the restart, so its caller and its session ping are told so. Immutable.
 */
public final class ResumeRecord {

    /** Nothing recorded: resumption off, no turn to resume, or the inbox could not record it. */
    public static final ResumeRecord NONE = new ResumeRecord(Map.of());

    private final Map<String, InboxEntry> byTurn;

    ResumeRecord(Map<String, InboxEntry> byTurn) {
        this.byTurn = Map.copyOf(byTurn);
    }

    /** True if {@code turn} has a resume entry (recorded; gone again if it has since ended with an answer). */
    public boolean recorded(TurnInfo turn) {
        return byTurn.containsKey(turn.turnId());
    }

    /** How many turns were recorded. */
    public int size() {
        return byTurn.size();
    }
}
