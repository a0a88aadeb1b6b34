package dev.quiesce.pipeline;

/**
 * How a turn ended.
 *
 * @param kind the outcome
 * @param reply text for the user: the agent's answer, or why the turn did not run or was cut off
 * @param turnId the turn's id; empty for a turn refused or deferred before it started
 * @param deferredId for {@link Kind#DEFERRED}: the saved entry's id; empty otherwise
 */
public record TurnOutcome(Kind kind, String reply, String turnId, String deferredId) {

    /** An outcome that names no saved entry. */
    public TurnOutcome(Kind kind, String reply, String turnId) {
        this(kind, reply, turnId, "");
    }


    /** The outcomes of SPEC §6. */
    public enum Kind {
        COMPLETED,
        REFUSED_DRAINING,
        REFUSED_STOPPING,
        REFUSED_BUSY,
        INTERRUPTED,
        FAILED,
        /** Not started now, saved to be answered later (SPEC §9). */
        DEFERRED;

        public String metricName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
