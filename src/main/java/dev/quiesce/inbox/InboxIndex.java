package dev.quiesce.inbox;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The inbox's entries as the hot path needs them, in memory: which sessions have entries waiting or
 * being saved (a new message of such a session goes behind them), how many wait, the oldest, and which
 * entry of each session runs next (so the replay asks the disk only for the texts of those). Kept
 * in step with the store by {@link Inbox}; loaded from it at open. Thread-safe: {@link #holds} is
 * lock-free (it runs for every message), the rest synchronise on {@code this}.
 */
final class InboxIndex {

    /** Sessions with entries stored, and how many. Read without a lock; written under {@code this}. */
    private final ConcurrentHashMap<String, Integer> stored = new ConcurrentHashMap<>();
    /**
     * Sessions with a save in progress, and how many. Apart from {@link #stored} because a reload
     * ({@link #load}) replaces what is stored but must not forget a save still queued on the writer.
     */
    private final ConcurrentHashMap<String, Integer> saving = new ConcurrentHashMap<>();
    /**
     * Guarded by {@code this}: the waiting entries by seq (arrival order), for the count and the oldest;
     * without their texts, which stay on disk.
     */
    private final TreeMap<Long, Waiting> bySeq = new TreeMap<>();
    /** Guarded by {@code this}: the seqs of each session's {@code resume} entries (rare: cut-off turns). */
    private final Map<String, TreeSet<Long>> resumes = new HashMap<>();

    private record Waiting(String sessionId, Instant receivedAt) {
        Waiting(InboxEntry entry) {
            this(entry.sessionId(), entry.receivedAt());
        }
    }

    /** True while {@code sessionId} has an entry waiting or being saved. */
    boolean holds(String sessionId) {
        return stored.containsKey(sessionId) || saving.containsKey(sessionId);
    }

    /** A save of {@code sessionId}'s message began: it holds the session until {@link #saved}. */
    void saving(String sessionId) {
        saving.merge(sessionId, 1, Integer::sum);
    }

    /** The save ended, stored ({@code entry}) or not (null). */
    synchronized void saved(String sessionId, InboxEntry entry) {
        if (entry != null) {
            add(entry);
        }
        // After the entry is in: the session never looks free in between.
        decrement(saving, sessionId);
    }

    /** An entry left the store. */
    synchronized void remove(InboxEntry entry) {
        if (bySeq.remove(entry.seq()) != null) {
            decrement(stored, entry.sessionId());
            TreeSet<Long> resumed = resumes.get(entry.sessionId());
            if (resumed != null && resumed.remove(entry.seq()) && resumed.isEmpty()) {
                resumes.remove(entry.sessionId());
            }
        }
    }

    /** Replaces what is stored with what the store holds (saves in progress stay counted). */
    synchronized void load(List<InboxEntry> entries) {
        bySeq.clear();
        stored.clear();
        resumes.clear();
        entries.forEach(this::add);
    }

    /**
     * The seq of the next entry of each session that may run, oldest first, at most {@code limit}: per
     * session its (first) {@code resume} entry, else its oldest; sessions in {@code skip} are left out.
     * Walks the entries in arrival order until it has enough, so it costs what the skipped sessions
     * hold before the heads, not the whole inbox.
     */
    synchronized List<Long> heads(int limit, Set<String> skip) {
        List<Long> heads = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Map.Entry<Long, Waiting> entry : bySeq.entrySet()) {
            if (heads.size() >= limit) {
                break;
            }
            String session = entry.getValue().sessionId();
            if (skip.contains(session) || seen.contains(session)) {
                continue;
            }
            TreeSet<Long> resumed = resumes.get(session);
            if (resumed != null && resumed.first() != entry.getKey().longValue()) {
                continue; // its resume entry comes first, further on
            }
            seen.add(session);
            heads.add(entry.getKey());
        }
        return heads;
    }

    synchronized int waiting() {
        return bySeq.size();
    }

    /** When the oldest waiting entry arrived (the first by seq); null when none waits. */
    synchronized Instant oldestReceivedAt() {
        Map.Entry<Long, Waiting> first = bySeq.firstEntry();
        return first == null ? null : first.getValue().receivedAt();
    }

    private void add(InboxEntry entry) {
        if (bySeq.put(entry.seq(), new Waiting(entry)) == null) {
            stored.merge(entry.sessionId(), 1, Integer::sum);
            if (entry.kind() == InboxEntry.Kind.RESUME) {
                resumes.computeIfAbsent(entry.sessionId(), session -> new TreeSet<>()).add(entry.seq());
            }
        }
    }

    private static void decrement(ConcurrentHashMap<String, Integer> counts, String sessionId) {
        counts.computeIfPresent(sessionId, (session, count) -> count <= 1 ? null : count - 1);
    }
}
