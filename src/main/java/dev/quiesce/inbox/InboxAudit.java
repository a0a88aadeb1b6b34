package dev.quiesce.inbox;

import dev.quiesce.drain.DrainAuditLog;
import dev.quiesce.drain.Phase;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The inbox's lines in {@code drain-audit.jsonl} (SPEC §9: deferral batches, replays, drops), with ids
 * and counts, never a text. Saves are batched: a flood of messages during a drain would otherwise
 * write a line per message. Each {@link #flush()} (the inbox's poll tick, and its close) writes one
 * {@code inbox_deferred} line per session that had entries saved since the last one, with their
 * count and first and last deferred_id; a replay or an expiry is one line each, at once.
 * Thread-safe: the batch is guarded by {@code this}, and lines are appended outside it.
 */
final class InboxAudit {

    private final DrainAuditLog log;
    /** Guarded by {@code this}: the saves not yet written, by session, in the order sessions first saved. */
    private final Map<String, Batch> batches = new LinkedHashMap<>();

    /** Saves of one session since the last flush. */
    private static final class Batch {
        final String firstId;
        final Phase phase;
        String lastId = "";
        int count;
        Instant last;

        Batch(String firstId, Phase phase) {
            this.firstId = firstId;
            this.phase = phase;
        }
    }

    InboxAudit(DrainAuditLog log) {
        this.log = log;
    }

    /** An entry was saved while the gateway was in {@code phase}; written with its session's batch. */
    synchronized void saved(InboxEntry entry, Phase phase) {
        Batch batch = batches.computeIfAbsent(entry.sessionId(), session -> new Batch(entry.deferredId(), phase));
        batch.count++;
        batch.last = entry.receivedAt();
        if (batch.count > 1) {
            batch.lastId = entry.deferredId();
        }
    }

    /** Writes the batched saves, one line per session. Never throws. */
    void flush() {
        List<DrainAuditLog.InboxLine> lines = new ArrayList<>();
        synchronized (this) {
            batches.forEach((session, batch) -> lines.add(new DrainAuditLog.InboxLine("inbox_deferred", session,
                    batch.firstId, batch.lastId, batch.count, "saved", "while " + batch.phase.statusName(),
                    batch.last)));
            batches.clear();
        }
        lines.forEach(log::recordInbox);
    }

    /**
     * A replayed entry's answer went out ({@code delivered}) or finally did not ({@code delivery_failed});
     * {@code turn} says how its turn ended (completed, failed).
     */
    void replayed(InboxEntry entry, String outcome, String turn, Instant at) {
        log.recordInbox(new DrainAuditLog.InboxLine("inbox_replayed", entry.sessionId(), entry.deferredId(), "", 1,
                outcome, "turn " + turn + ", attempt " + (entry.attempts() + 1), at));
    }

    /** An entry was dropped unanswered: too old to run; its chat got a deferred_expired notice ({@code notified}). */
    void expired(InboxEntry entry, boolean notified, Instant at) {
        log.recordInbox(new DrainAuditLog.InboxLine("inbox_expired", entry.sessionId(), entry.deferredId(), "", 1,
                "expired", "received " + entry.receivedAt() + ", notice " + (notified ? "delivered" : "not delivered"),
                at));
    }

    /**
     * A running turn's {@code resume} entry (SPEC §10): {@code recorded} at the shutdown, {@code discarded}
     * when the turn then ended with an answer.
     */
    void resume(InboxEntry entry, String outcome, String detail, Instant at) {
        log.recordInbox(new DrainAuditLog.InboxLine("inbox_resume", entry.sessionId(), entry.deferredId(), "", 1,
                outcome, detail, at));
    }
}
