package dev.quiesce.pipeline;

import java.util.List;
import java.util.function.Function;

/**
 * The accept gate (SPEC §6): whether a turn may start now, and the registry of those that did.
 * RUNNING admits every turn; DRAINING only internal ones; STARTING, STOPPING and STOPPED none; a
 * session with a turn running is refused as BUSY.
 *
 * <p>Implemented by the component that decides the phase, because the check, the registration in
 * {@link InFlightTurns} and a phase change must be one atomic step: a turn is admitted before a drain
 * (and counted in flight) or not at all, so no user turn starts once BeginDrain has replied.
 * Implementations are thread-safe.
 */
public interface AcceptGate {

    /**
     * Checks the phase and, when the turn may start, registers it in one atomic step.
     *
     * @param control makes the new turn's {@link TurnControl} from its {@link TurnInfo}; called once,
     *     under the gate's lock, so it must only construct (no I/O, no call back into the gate)
     * @return {@link Admission.Admitted} (release it exactly once with {@link #release}) or
     *     {@link Admission.Refused}
     */
    Admission tryAdmit(String sessionId, String channel, boolean internal,
            Function<TurnInfo, ? extends TurnControl> control);

    /**
     * What {@link #tryAdmit} would refuse a turn of this kind with now, for the phase, without
     * registering anything (whether its session is busy is not looked at).
     *
     * @return the refusal, or null when the phase admits such a turn
     */
    Admission.Refused pausedFor(boolean internal);

    /**
     * Ends an admitted turn's registration. Idempotent.
     *
     * @return false if it was released already
     */
    boolean release(TurnInfo turn);

    /** The turns running now with their controls, oldest first: a copy. */
    List<InFlightTurns.Running> running();

    /**
     * Which pause the gateway is in, or was in last: a number that grows by one each time the phase
     * leaves RUNNING (a start counts as the first). One notice per chat per pause is counted by it.
     */
    long pause();
}
