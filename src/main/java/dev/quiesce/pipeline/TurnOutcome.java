package dev.quiesce.pipeline;

/**
 * How a turn ended.
 *
 * @param kind the outcome
 * @param reply text for the user: the agent's answer, or why the turn did not run or was cut off
 * @param turnId the turn's id; empty for a turn refused before it started
 */
public record TurnOutcome(Kind kind, String reply, String turnId) {

    /** The outcomes of SPEC §6. */
    public enum Kind {
        COMPLETED,
        REFUSED_DRAINING,
        REFUSED_STOPPING,
        REFUSED_BUSY,
        INTERRUPTED,
        FAILED;

        public String metricName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
