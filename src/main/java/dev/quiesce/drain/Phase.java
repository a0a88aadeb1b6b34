package dev.quiesce.drain;

/**
 * The gateway's lifecycle: {@code STARTING → RUNNING ⇄ DRAINING}, any → {@code STOPPING → STOPPED}.
 * STOPPING and STOPPED are one-way: nothing leaves them.
 */
public enum Phase {
    STARTING,
    RUNNING,
    DRAINING,
    STOPPING,
    STOPPED;

    /** True once shutdown has begun; no drain request changes the phase any more. */
    public boolean isShuttingDown() {
        return this == STOPPING || this == STOPPED;
    }

    /** The reference's lowercase name, used in the status file. */
    public String statusName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
