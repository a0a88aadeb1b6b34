package dev.quiesce.inbox;

import dev.quiesce.config.QuiesceConfig;
import dev.quiesce.drain.DrainAuditLog;
import dev.quiesce.drain.DrainStateBean;
import dev.quiesce.drain.InboxSummary;
import dev.quiesce.home.QuiesceHome;
import dev.quiesce.pipeline.Deferral;
import dev.quiesce.pipeline.InboundMessage;
import io.quarkus.logging.Log;
import io.quarkus.runtime.Startup;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The inbox (SPEC §9): what a user sends while the gateway cannot start it is saved durably and
 * answered later, in order, once. This bean is the pipeline's {@link Deferral}: it decides what is
 * kept, and saves it. {@link InboxIndex} answers the hot-path questions from memory, so a running
 * gateway asks the disk nothing per message.
 *
 * <p>One writer: every use of the store — saves, the listing, the {@link Replayer}'s reads and removals —
 * runs on one thread, in the order it was asked for, and a saver is answered once its change is
 * committed. The store is opened before the first ingress. If it cannot be (an unwritable home, a file
 * it cannot repair), or fails later (a write refused, a page found corrupt), the gateway runs in refuse
 * mode, says why ({@code DrainState.inbox.error}, {@code quiesce_inbox_unavailable}) and opens it again
 * on a later poll tick. Thread-safe.
 */
@ApplicationScoped
@Startup
public class Inbox implements Deferral {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final InboxFile file;
    private final QuiesceConfig.Inbox config;
    private final Clock clock;
    private final DrainStateBean state;
    private final InboxMetrics metrics;
    private final InboxAudit audit;
    private final InboxIndex index = new InboxIndex();
    /** The one writer. Its queue is the arrival order. */
    private final ExecutorService writer;
    /** Written on the writer thread (and at start); null while the inbox is unavailable. */
    private volatile InboxStore store;
    /** Written with {@link #store}: why it is null; empty while it works. */
    private volatile String error = "";
    /** Written on the writer thread. */
    private volatile boolean replaying;
    /** On the writer thread only: a full inbox was logged, and nothing was stored since. */
    private boolean fullLogged;
    /** On the writer thread only: when answered message ids were last forgotten. */
    private Instant pruned = Instant.EPOCH;

    @Inject
    Inbox(QuiesceHome home, QuiesceConfig config, Clock clock, DrainStateBean state, InboxMetrics metrics,
            DrainAuditLog auditLog) {
        this.file = new InboxFile(home.path(), clock);
        this.config = config.inbox();
        this.clock = clock;
        this.state = state; // the proxy: the state bean may still be starting when the inbox is made
        this.metrics = metrics;
        this.audit = new InboxAudit(auditLog);
        this.writer = Executors.newSingleThreadExecutor(r -> {
            Thread thread = new Thread(r, "quiesce-inbox-writer");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Opens the store at start. A message that arrives before is refused by the gate anyway (the phase
     * is STARTING), and one the gate refuses for a pause is kept only once the store is open.
     */
    @PostConstruct
    void open() {
        reopen();
    }

    /** Every poll tick, on the writer: opens an unavailable store again, writes the audit batch, prunes. */
    @Scheduled(every = "{quiesce.marker.poll-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void tick() {
        runOnWriter(() -> {
            if (store == null) {
                reopen();
            } else if (clock.instant().isAfter(pruned.plusSeconds(60))) {
                pruned = clock.instant();
                withOpenStore("forgetting answered message ids", s -> {
                    s.pruneAnswered(pruned.minus(config.dedupWindow()));
                    return null;
                });
            }
            audit.flush();
        });
    }

    @PreDestroy
    void close() {
        runOnWriter(audit::flush);
        writer.shutdown();
        try {
            writer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        InboxStore open = store;
        store = null;
        if (open != null) {
            try {
                open.close();
            } catch (SQLException e) {
                Log.warnf("Closing the inbox %s: %s", file.path(), InboxFile.describe(e));
            }
        }
    }

    @Override
    public boolean holdsBacklog(String sessionId) {
        return index.holds(sessionId);
    }

    @Override
    public boolean accepts(InboundMessage message) {
        boolean defer = switch (message.whenPaused()) {
            case DEFER -> true;
            case REFUSE -> false;
            case AS_CONFIGURED -> config.mode() == QuiesceConfig.Inbox.Mode.DEFER;
        };
        // Without a channel its answer has nowhere to go.
        if (!defer || message.channel().isEmpty()) {
            return false;
        }
        if (store == null) {
            metrics.refused("unavailable"); // it would have been kept
            return false;
        }
        return true;
    }

    @Override
    public Uni<Deposit> save(InboundMessage message) {
        return Uni.createFrom().emitter(emitter -> {
            // Counted from the subscription, in arrival order: the session's next message queues behind.
            index.saving(message.sessionId());
            if (!runOnWriter(() -> emitter.complete(saveNow(message)))) {
                index.saved(message.sessionId(), null);
                emitter.complete(new Deposit.NotSaved("the inbox is closing"));
            }
        });
    }

    /** On the writer: stores {@code message}, counted, indexed and audited. Never throws. */
    private Deposit saveNow(InboundMessage message) {
        InboxStore open = store;
        InboxEntry stored = null;
        try {
            if (open == null) {
                metrics.refused("unavailable");
                return new Deposit.NotSaved(error);
            }
            Instant now = clock.instant();
            InboxStore.Saved saved = open.save(newId(), InboxEntry.Kind.DEFERRED, message.sessionId(), message.channel(),
                    message.messageId(), message.internal(), message.text(), now, now.minus(config.dedupWindow()),
                    config.maxEntries(), config.maxBytes().asLongValue());
            if (saved instanceof InboxStore.Saved.Stored entry) {
                stored = entry.entry();
                fullLogged = false;
                metrics.deferred(state.current().phase());
                audit.saved(stored, state.current().phase());
                return new Deposit.Saved(stored.deferredId());
            }
            if (saved instanceof InboxStore.Saved.Duplicate duplicate) {
                metrics.duplicate();
                return new Deposit.Saved(duplicate.deferredId());
            }
            String why = ((InboxStore.Saved.Full) saved).why();
            metrics.refused("full");
            if (!fullLogged) {
                fullLogged = true; // once until something is stored again: a flood would log every message
                Log.warnf("Inbox full: messages are refused as before until entries are answered (%s)", why);
            }
            return new Deposit.NotSaved(why);
        } catch (SQLException | RuntimeException e) {
            metrics.refused("store_failed");
            broken(open, "saving a message of session " + message.sessionId(), e);
            return new Deposit.NotSaved(InboxFile.describe(e));
        } finally {
            index.saved(message.sessionId(), stored);
            if (stored != null) {
                publish();
            }
        }
    }

    /** On the writer, or at start: opens the store and loads the index. */
    private void reopen() {
        InboxFile.Opened opened = file.open();
        if (opened instanceof InboxFile.Opened.Ready ready) {
            try {
                index.load(ready.store().page(0, Integer.MAX_VALUE));
                store = ready.store();
                error = "";
            } catch (SQLException e) {
                closeQuietly(ready.store());
                error = file.failed("it cannot be read: " + InboxFile.describe(e));
            }
        } else {
            error = ((InboxFile.Opened.Unavailable) opened).cause();
        }
        metrics.unavailable(store == null);
        publish();
    }

    /**
     * On the writer: {@code failed} failed while {@code doing} something. Its connection may be in any
     * state (SQLite rolls a transaction back by itself after an I/O error, and the driver then commits
     * the next statement on its own), so it is closed, and the inbox is unavailable until a later tick
     * opens the file again (moving it aside if it is corrupt).
     */
    private void broken(InboxStore failed, String doing, Exception e) {
        if (failed == null || store != failed) {
            return; // already handled
        }
        store = null;
        closeQuietly(failed);
        error = file.failed(doing + " failed: " + InboxFile.describe(e));
        metrics.unavailable(true);
        publish();
    }

    /** What the store work of {@link #withStore} does. */
    @FunctionalInterface
    interface StoreWork<T> {
        T run(InboxStore store) throws SQLException;
    }

    /**
     * Runs {@code work} on the writer against the open store and waits for it: for the replay's thread,
     * never an event loop. A failure makes the inbox unavailable ({@link #broken}).
     *
     * @param doing what the work does, for the error
     * @return its result; empty when the inbox is unavailable, the work failed, or the inbox is closing
     */
    <T> Optional<T> withStore(String doing, StoreWork<T> work) {
        CompletableFuture<Optional<T>> result = new CompletableFuture<>();
        if (!runOnWriter(() -> result.complete(withOpenStore(doing, work)))) {
            return Optional.empty();
        }
        try {
            return result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (ExecutionException e) {
            return Optional.empty(); // withOpenStore does not throw
        }
    }

    /** On the writer: {@code work} against the open store; empty when there is none, or it failed. */
    private <T> Optional<T> withOpenStore(String doing, StoreWork<T> work) {
        InboxStore open = store;
        if (open == null) {
            return Optional.empty();
        }
        try {
            return Optional.ofNullable(work.run(open));
        } catch (SQLException | RuntimeException e) {
            broken(open, doing, e);
            return Optional.empty();
        }
    }

    /** On the writer: tells the state what the inbox holds. */
    void publish() {
        state.inboxChanged(new InboxSummary(index.waiting(), index.oldestReceivedAt(), replaying, error));
    }

    /** Runs {@code work} on the writer. @return false when the writer no longer takes work (shutting down) */
    private boolean runOnWriter(Runnable work) {
        try {
            writer.execute(work);
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    /** True while the store is open. */
    boolean isOpen() {
        return store != null;
    }

    InboxIndex index() {
        return index;
    }

    InboxAudit audit() {
        return audit;
    }

    /** The replay started or stopped running entries: published, in order with the writer's changes. */
    void replaying(boolean now) {
        runOnWriter(() -> {
            if (replaying != now) {
                replaying = now;
                publish();
            }
        });
    }

    /**
     * Up to {@code limit} waiting entries after position {@code afterSeq}, oldest first, read on the
     * writer (so a listing sees every save answered before it).
     *
     * @return the entries; fails with {@link InboxUnavailableException} when the store cannot be read
     */
    public Uni<List<InboxEntry>> page(long afterSeq, int limit) {
        return Uni.createFrom().emitter(emitter -> {
            if (!runOnWriter(() -> {
                Optional<List<InboxEntry>> page = withOpenStore("listing entries", s -> s.page(afterSeq, limit));
                if (page.isPresent()) {
                    emitter.complete(page.get());
                } else {
                    emitter.fail(new InboxUnavailableException(error));
                }
            })) {
                emitter.fail(new InboxUnavailableException("the inbox is closing"));
            }
        });
    }

    private void closeQuietly(InboxStore which) {
        try {
            which.close();
        } catch (SQLException e) {
            Log.debugf("Closing the inbox %s after a failure: %s", file.path(), InboxFile.describe(e));
        }
    }

    /** A new entry's id: {@code m-} and 16 hex digits. */
    static String newId() {
        byte[] bytes = new byte[8];
        RANDOM.nextBytes(bytes);
        return "m-" + HexFormat.of().formatHex(bytes);
    }
}
