package dev.quiesce.drain;

import dev.quiesce.marker.MarkerJudgement;
import dev.quiesce.pipeline.TurnInfo;
import java.time.Instant;
import java.util.List;

/**
 * An immutable picture of the whole drain state at one version.
 *
 * @param phase lifecycle phase
 * @param drain the drain in force; {@code null} unless DRAINING (or shutting down during one)
 * @param inFlight the running turns, oldest first; in a snapshot made while turns start and end,
 *     read in the moment after the version (see {@code PhaseState})
 * @param inFlightCount how many turns run at this version: exact
 * @param marker how the marker file was last judged
 * @param markerPath where the marker file is
 * @param epoch this instantiation's epoch
 * @param version increases by at least one on every change
 * @param changedAt when this version was made
 * @param inbox what the inbox holds
 */
public record DrainSnapshot(
        Phase phase,
        ActiveDrain drain,
        List<TurnInfo> inFlight,
        int inFlightCount,
        MarkerJudgement marker,
        String markerPath,
        String epoch,
        long version,
        Instant changedAt,
        InboxSummary inbox) {

    public DrainSnapshot {
        inFlight = List.copyOf(inFlight);
    }

    /** DRAINING with no turn running: safe for the orchestrator to act. */
    public boolean drained() {
        return phase == Phase.DRAINING && inFlightCount == 0;
    }
}
