package dev.quiesce.inbox;

import dev.quiesce.config.Durations;
import dev.quiesce.pipeline.InFlightTurns;
import dev.quiesce.pipeline.TurnControl;
import dev.quiesce.pipeline.TurnRequest;
import io.quarkus.logging.Log;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The shutdown's record of the turns it may cut off (SPEC §10): each running user turn with a channel
 * becomes a {@code resume} entry, all in one transaction on the inbox's writer, before the drain-timeout
 * wait, so a SIGKILL during the wait leaves them on disk. A recorded turn that then ends with an answer
 * removes its entry again; the next start runs the others first for their sessions ({@link Replayer}).
 * Thread-safe: its state is the writer's and the index's.
 */
final class ResumeRecorder {

    private final boolean enabled;
    private final InboxWriter writer;
    private final InboxIndex index;
    private final InboxMetrics metrics;
    private final InboxAudit audit;
    private final Clock clock;
    /** On the writer: tells the state what the inbox holds. */
    private final Runnable publish;

    /** @param enabled {@code quiesce.inbox.resume} */
    ResumeRecorder(boolean enabled, InboxWriter writer, InboxIndex index, InboxMetrics metrics, InboxAudit audit,
            Clock clock, Runnable publish) {
        this.enabled = enabled;
        this.writer = writer;
        this.index = index;
        this.metrics = metrics;
        this.audit = audit;
        this.clock = clock;
        this.publish = publish;
    }

    /**
     * Records the running user turns with a channel as {@code resume} entries, in one transaction (SPEC
     * §10), before the shutdown waits for them; a turn that then ends with an answer removes its entry, one
     * that a shutdown interrupts or whose caller goes away keeps it. Waits up to {@link Inbox#RESUME_RECORD_WAIT}
     * for the commit: a record not committed by then is not relied on (its callers get the old hint; if it
     * commits later, those turns run again after the restart all the same).
     *
     * @param running the turns running now ({@code MessagePipeline#running})
     * @return what was recorded; {@link ResumeRecord#NONE} with {@code quiesce.inbox.resume=false}, or when
     *     the store is unavailable or slower than the wait. Blocks: the shutdown's thread, never an event loop
     */
    ResumeRecord record(List<InFlightTurns.Running> running) {
        if (!enabled) {
            return ResumeRecord.NONE;
        }
        List<InFlightTurns.Running> resumable = running.stream().filter(ResumeRecorder::resumable).toList();
        if (resumable.isEmpty()) {
            return ResumeRecord.NONE;
        }
        List<InboxStore.Resume> rows = resumable.stream().map(r -> {
            TurnRequest request = r.control().request();
            return new InboxStore.Resume(Inbox.newId(), request.sessionId(), request.channel(), request.messageId(),
                    request.text());
        }).toList();
        CompletableFuture<List<InboxEntry>> committed = new CompletableFuture<>();
        resumable.forEach(r -> index.saving(r.turn().sessionId()));
        if (!writer.run(() -> committed.complete(recordNow(rows)))) {
            resumable.forEach(r -> index.saved(r.turn().sessionId(), null));
            return ResumeRecord.NONE;
        }
        List<InboxEntry> entries;
        try {
            entries = committed.get(Inbox.RESUME_RECORD_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            Log.warnf("Recording %d running turn(s) for resumption took over %s; their callers get the old hint",
                    rows.size(), Durations.readable(Inbox.RESUME_RECORD_WAIT));
            return ResumeRecord.NONE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ResumeRecord.NONE;
        } catch (ExecutionException e) {
            return ResumeRecord.NONE; // recordNow does not throw
        }
        if (entries.isEmpty()) {
            return ResumeRecord.NONE;
        }
        Map<String, InboxEntry> byTurn = new HashMap<>();
        for (int i = 0; i < entries.size(); i++) {
            byTurn.put(resumable.get(i).turn().turnId(), entries.get(i));
        }
        Log.infof("Recorded %d running turn(s) in the inbox to resume after the restart", entries.size());
        for (int i = 0; i < entries.size(); i++) {
            InboxEntry entry = entries.get(i);
            // Registered after the commit: a turn that ended in between is told at once.
            resumable.get(i).control().whenEnded(end -> {
                if (end == TurnControl.End.ANSWERED) {
                    discardResume(entry);
                }
            });
        }
        return new ResumeRecord(byTurn);
    }

    /** A user turn with a channel that runs a live message (a replayed one is saved already). */
    private static boolean resumable(InFlightTurns.Running running) {
        TurnRequest request = running.control().request();
        return request != null && !request.internal() && !request.channel().isEmpty() && !request.replay();
    }

    /** On the writer: the resume entries, committed together, indexed and audited; empty when that failed. */
    private List<InboxEntry> recordNow(List<InboxStore.Resume> rows) {
        Instant now = clock.instant();
        List<InboxEntry> stored = withOpenStoreOrEmpty(rows, now);
        for (int i = 0; i < rows.size(); i++) {
            index.saved(rows.get(i).sessionId(), i < stored.size() ? stored.get(i) : null);
        }
        stored.forEach(entry -> {
            metrics.resume("recorded");
            audit.resume(entry, "recorded", "running at the shutdown", now);
        });
        if (!stored.isEmpty()) {
            publish.run();
        }
        return stored;
    }

    private List<InboxEntry> withOpenStoreOrEmpty(List<InboxStore.Resume> rows, Instant now) {
        if (!writer.isOpen()) {
            Log.warnf("The inbox is unavailable (%s): %d running turn(s) cannot be resumed after the restart",
                    writer.error(), rows.size());
            return List.of();
        }
        return writer.withOpenStore("recording " + rows.size() + " running turn(s) for resumption",
                store -> store.saveResumes(rows, now)).orElse(List.of());
    }

    /** A recorded turn ended with an answer within the wait: its entry goes (on the writer). */
    private void discardResume(InboxEntry entry) {
        writer.run(() -> writer.withOpenStore("removing the resume entry " + entry.deferredId(), store -> {
            store.discard(List.of(entry.deferredId()));
            index.remove(entry);
            metrics.resume("finished_in_time");
            audit.resume(entry, "discarded", "the turn ended within the wait", clock.instant());
            publish.run();
            return null;
        }));
    }
}
