package dev.quiesce.drain;

import dev.quiesce.pipeline.TurnInfo;
import java.util.function.Supplier;

/**
 * A turn started or ended: a new version of the state for which no snapshot was made (making one
 * lists every running turn). Immutable.
 *
 * @param turn the turn
 * @param started true when it was admitted, false when it was released
 * @param version the version its start or end made
 * @param state makes (or returns) the snapshot of the newest version when called: O(turns), so call
 *     it off the data plane or coalesced
 */
public record TurnChange(TurnInfo turn, boolean started, long version, Supplier<DrainSnapshot> state) {}
