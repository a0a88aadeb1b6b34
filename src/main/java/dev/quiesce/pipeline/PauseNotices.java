package dev.quiesce.pipeline;

import java.util.concurrent.ConcurrentHashMap;

/**
 * One notice per chat per pause (SPEC §9): of the answers a session gets while the gateway is paused —
 * DEFERRED, REFUSED_DRAINING, REFUSED_STOPPING — the first carries the text for the user, the later
 * ones an empty reply (nothing to relay). A 25-minute drain then costs each chat one message, not
 * one per message sent. Pauses are told apart by {@link AcceptGate#pause()}; the memory holds the
 * sessions of one pause only. Thread-safe.
 */
final class PauseNotices {

    private final ConcurrentHashMap<String, Long> noticed = new ConcurrentHashMap<>();
    /** Guarded by {@code this} for writes: the pause {@link #noticed} belongs to. */
    private volatile long current;

    /** True the first time {@code sessionId} is answered in {@code pause}; false after. */
    boolean first(String sessionId, long pause) {
        if (pause != current) {
            synchronized (this) {
                if (pause > current) {
                    noticed.clear(); // a new pause: every chat gets its notice again
                    current = pause;
                }
            }
        }
        return noticed.putIfAbsent(sessionId, pause) == null;
    }
}
