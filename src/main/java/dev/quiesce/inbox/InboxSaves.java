package dev.quiesce.inbox;

import dev.quiesce.config.QuiesceConfig;
import dev.quiesce.drain.Phase;
import dev.quiesce.pipeline.Deferral.Deposit;
import dev.quiesce.pipeline.InboundMessage;
import io.quarkus.logging.Log;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The inbox's saves (SPEC §9 Truthful receipt, Duplicates, Order): messages queue for the writer and are
 * stored by group commit — all those waiting when the writer gets to them (up to {@link #BATCH}) in one
 * transaction, one fsync — and each caller is answered only after that commit: {@link Deposit.Saved}
 * for a stored message or a duplicate, {@link Deposit.NotSaved} when the inbox is full, unavailable or
 * closing. When the batch's write fails, every message in it is refused and none is stored. The state
 * is told once per batch. Thread-safe: {@link #save} from any thread, the rest on the writer.
 */
final class InboxSaves {

    /** The most messages one transaction stores. */
    static final int BATCH = 256;

    private record Pending(InboundMessage message, Consumer<Deposit> answer) {}

    private final InboxWriter writer;
    private final InboxIndex index;
    private final InboxMetrics metrics;
    private final InboxAudit audit;
    private final QuiesceConfig.Inbox config;
    private final Clock clock;
    private final Supplier<Phase> phase;
    private final Runnable publish;
    private final GroupCommit<Pending> queue;
    /** On the writer thread only: a full inbox was logged, and nothing was stored since. */
    private boolean fullLogged;

    /**
     * @param phase the gateway's phase now, for the metrics and the audit
     * @param publish on the writer: tells the state what the inbox holds
     */
    InboxSaves(InboxWriter writer, InboxIndex index, InboxMetrics metrics, InboxAudit audit,
            QuiesceConfig.Inbox config, Clock clock, Supplier<Phase> phase, Runnable publish) {
        this.writer = writer;
        this.index = index;
        this.metrics = metrics;
        this.audit = audit;
        this.config = config;
        this.clock = clock;
        this.phase = phase;
        this.publish = publish;
        this.queue = new GroupCommit<>(writer, BATCH, this::commit, this::closing);
    }

    /**
     * Saves {@code message}; {@code answer} hears once, on the writer (or here, when the inbox is closing).
     * The session holds a backlog from now on, so its next message queues behind this one.
     */
    void save(InboundMessage message, Consumer<Deposit> answer) {
        index.saving(message.sessionId());
        queue.add(new Pending(message, answer));
    }

    private void closing(Pending pending) {
        index.saved(pending.message().sessionId(), null);
        pending.answer().accept(new Deposit.NotSaved("the inbox is closing"));
    }

    /** On the writer: stores the batch, then indexes, publishes once and answers each message. */
    private void commit(List<Pending> batch) {
        InboxEntry[] stored = new InboxEntry[batch.size()];
        Deposit[] answers = new Deposit[batch.size()];
        try {
            Optional<List<InboxStore.Saved>> verdicts = store(batch);
            for (int i = 0; i < answers.length; i++) {
                answers[i] = verdicts.isPresent() ? judged(verdicts.get().get(i), stored, i)
                        : new Deposit.NotSaved(writer.error());
            }
        } finally {
            boolean any = false;
            for (int i = 0; i < stored.length; i++) {
                // After the commit, and before the answer: the session never looks free in between.
                index.saved(batch.get(i).message().sessionId(), stored[i]);
                any |= stored[i] != null;
            }
            if (any) {
                publish.run();
            }
        }
        for (int i = 0; i < answers.length; i++) {
            batch.get(i).answer().accept(answers[i]);
        }
    }

    /** The store's verdicts, in order; empty (counted as refused) when the store is closed or failed. */
    private Optional<List<InboxStore.Saved>> store(List<Pending> batch) {
        if (!writer.isOpen()) {
            batch.forEach(pending -> metrics.refused("unavailable"));
            return Optional.empty();
        }
        Instant now = clock.instant();
        List<InboxStore.NewEntry> entries = batch.stream().map(Pending::message)
                .map(m -> new InboxStore.NewEntry(Inbox.newId(), InboxEntry.Kind.DEFERRED, m.sessionId(), m.channel(),
                        m.messageId(), m.internal(), m.text(), now)).toList();
        InboxStore.Limits limits = new InboxStore.Limits(now.minus(config.dedupWindow()), config.maxEntries(),
                config.maxBytes().asLongValue());
        String doing = batch.size() == 1 ? "saving a message of session " + batch.get(0).message().sessionId()
                : "saving " + batch.size() + " messages";
        Optional<List<InboxStore.Saved>> verdicts =
                writer.withOpenStore(doing, store -> store.saveAll(entries, limits));
        if (verdicts.isEmpty()) {
            // The writer has made the inbox unavailable, and said why: nothing of the batch is stored.
            batch.forEach(pending -> metrics.refused("store_failed"));
        }
        return verdicts;
    }

    /** What one verdict answers; a stored entry goes into {@code stored[i]}. */
    private Deposit judged(InboxStore.Saved verdict, InboxEntry[] stored, int i) {
        if (verdict instanceof InboxStore.Saved.Stored entry) {
            stored[i] = entry.entry();
            fullLogged = false;
            Phase now = phase.get();
            metrics.deferred(now);
            audit.saved(entry.entry(), now);
            return new Deposit.Saved(entry.entry().deferredId());
        }
        if (verdict instanceof InboxStore.Saved.Duplicate duplicate) {
            metrics.duplicate();
            return new Deposit.Saved(duplicate.deferredId());
        }
        String why = ((InboxStore.Saved.Full) verdict).why();
        metrics.refused("full");
        if (!fullLogged) {
            fullLogged = true; // once until something is stored again: a flood would log every message
            Log.warnf("Inbox full: messages are refused as before until entries are answered (%s)", why);
        }
        return new Deposit.NotSaved(why);
    }
}
