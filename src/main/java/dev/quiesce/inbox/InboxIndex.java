package dev.quiesce.inbox;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The inbox's entries as the hot path needs them, in memory: which sessions have entries waiting or
 * being saved (a new message of such a session goes behind them), how many wait, and the oldest. Kept
 * in step with the store by {@link Inbox}; loaded from it at open. Thread-safe: {@link #holds} is
 * lock-free (it runs for every message), the rest synchronise on {@code this}.
 */
final class InboxIndex {

    /** Sessions with entries stored or being saved, and how many. Read without a lock. */
    private final ConcurrentHashMap<String, Integer> sessions = new ConcurrentHashMap<>();
    /** Guarded by {@code this}: arrival time by seq, for the count and the oldest. */
    private final TreeMap<Long, Instant> bySeq = new TreeMap<>();
    /** Guarded by {@code this}: the session of each seq. */
    private final Map<Long, String> sessionOf = new HashMap<>();

    /** True while {@code sessionId} has an entry waiting or being saved. */
    boolean holds(String sessionId) {
        return sessions.containsKey(sessionId);
    }

    /** A save of {@code sessionId}'s message began: it holds the session from now on. */
    void saving(String sessionId) {
        sessions.merge(sessionId, 1, Integer::sum);
    }

    /** The save ended: stored as {@code seq}, or (null) not. */
    synchronized void saved(String sessionId, Long seq) {
        if (seq == null) {
            release(sessionId);
        }
    }

    /** Indexes a stored entry (its session was counted by {@link #saving}). */
    synchronized void add(InboxEntry entry) {
        bySeq.put(entry.seq(), entry.receivedAt());
        sessionOf.put(entry.seq(), entry.sessionId());
    }

    /** An entry left the store. */
    synchronized void remove(InboxEntry entry) {
        if (bySeq.remove(entry.seq()) != null) {
            sessionOf.remove(entry.seq());
            release(entry.sessionId());
        }
    }

    /** Replaces everything with what the store holds. */
    synchronized void load(List<InboxEntry> entries) {
        bySeq.clear();
        sessionOf.clear();
        sessions.clear();
        for (InboxEntry entry : entries) {
            bySeq.put(entry.seq(), entry.receivedAt());
            sessionOf.put(entry.seq(), entry.sessionId());
            sessions.merge(entry.sessionId(), 1, Integer::sum);
        }
    }

    synchronized int waiting() {
        return bySeq.size();
    }

    /** When the oldest waiting entry arrived; null when none waits. */
    synchronized Instant oldestReceivedAt() {
        return bySeq.values().stream().min(Instant::compareTo).orElse(null);
    }

    private void release(String sessionId) {
        sessions.computeIfPresent(sessionId, (session, count) -> count <= 1 ? null : count - 1);
    }
}
