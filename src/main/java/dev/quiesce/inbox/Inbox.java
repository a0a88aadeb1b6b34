package dev.quiesce.inbox;

import dev.quiesce.config.QuiesceConfig;
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
 * <p>One writer: every change goes through one thread, in the order the messages arrived, and its
 * caller is answered once the change is committed. The store is opened before the first ingress; if
 * it cannot be (an unwritable home, a file it cannot repair) the gateway runs in refuse mode, says why
 * ({@code DrainState.inbox.error}) and tries again on every poll tick. Thread-safe.
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
    private final InboxIndex index = new InboxIndex();
    /** The one writer. Its queue is the arrival order. */
    private final ExecutorService writer;
    /** Written by the writer thread (and at start); null while the inbox is unavailable. */
    private volatile InboxStore store;
    private volatile String error = "";
    private volatile boolean replaying;

    @Inject
    Inbox(QuiesceHome home, QuiesceConfig config, Clock clock, DrainStateBean state, InboxMetrics metrics) {
        this.file = new InboxFile(home.path(), clock);
        this.config = config.inbox();
        this.clock = clock;
        this.state = state; // the proxy: the state bean may still be starting when the inbox is made
        this.metrics = metrics;
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

    /** In refuse mode: tries the store again (an operator fixed the home, a disk came back). */
    @Scheduled(every = "{quiesce.marker.poll-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void retry() {
        if (store == null) {
            runOnWriter(this::reopen);
        }
    }

    @PreDestroy
    void close() {
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
        // Without a channel its answer has nowhere to go; without a store nothing can be kept.
        return defer && !message.channel().isEmpty() && store != null;
    }

    @Override
    public Uni<Deposit> save(InboundMessage message) {
        index.saving(message.sessionId());
        return Uni.createFrom().emitter(emitter -> {
            if (!runOnWriter(() -> emitter.complete(saveNow(message)))) {
                index.saved(message.sessionId(), null);
                emitter.complete(new Deposit.NotSaved("the inbox is closing"));
            }
        });
    }

    /** On the writer: stores {@code message}, counted and indexed. Never throws. */
    private Deposit saveNow(InboundMessage message) {
        InboxStore open = store;
        Long seq = null;
        try {
            if (open == null) {
                metrics.refused("unavailable");
                return new Deposit.NotSaved(error);
            }
            Instant now = clock.instant();
            InboxStore.Saved saved = open.save(newId(), InboxEntry.Kind.DEFERRED, message.sessionId(), message.channel(),
                    message.messageId(), message.internal(), message.text(), now, now.minus(config.dedupWindow()),
                    config.maxEntries(), config.maxBytes().asLongValue());
            if (saved instanceof InboxStore.Saved.Stored stored) {
                seq = stored.entry().seq();
                index.add(stored.entry());
                metrics.deferred(state.current().phase());
                publish();
                return new Deposit.Saved(stored.entry().deferredId());
            }
            if (saved instanceof InboxStore.Saved.Duplicate duplicate) {
                metrics.duplicate();
                return new Deposit.Saved(duplicate.deferredId());
            }
            metrics.refused("full");
            Log.warnf("Inbox full: a message of session %s is refused (%s)", message.sessionId(),
                    ((InboxStore.Saved.Full) saved).why());
            return new Deposit.NotSaved(((InboxStore.Saved.Full) saved).why());
        } catch (SQLException | RuntimeException e) {
            metrics.refused("store_failed");
            Log.warnf("Inbox %s could not save a message of session %s (%s): it is refused instead", file.path(),
                    message.sessionId(), InboxFile.describe(e));
            return new Deposit.NotSaved(InboxFile.describe(e));
        } finally {
            index.saved(message.sessionId(), seq);
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
                error = "the inbox " + file.path() + " cannot be read: " + InboxFile.describe(e);
                Log.errorf("%s; messages are refused as before until it can", error);
            }
        } else {
            error = ((InboxFile.Opened.Unavailable) opened).cause();
        }
        metrics.unavailable(store == null);
        publish();
    }

    /** Tells the state what the inbox holds. */
    void publish() {
        state.inboxChanged(new InboxSummary(index.waiting(), index.oldestReceivedAt(), replaying, error));
    }

    /** Runs {@code work} on the writer. @return false when the writer no longer takes work (shutting down) */
    boolean runOnWriter(Runnable work) {
        try {
            writer.execute(work);
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    /** The store, or null while unavailable (for the replay and the listing, on the writer thread). */
    InboxStore store() {
        return store;
    }

    InboxIndex index() {
        return index;
    }

    void replaying(boolean now) {
        if (replaying != now) {
            replaying = now;
            publish();
        }
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
                InboxStore open = store;
                if (open == null) {
                    emitter.fail(new InboxUnavailableException(error));
                    return;
                }
                try {
                    emitter.complete(open.page(afterSeq, limit));
                } catch (SQLException e) {
                    emitter.fail(new InboxUnavailableException("reading " + file.path() + ": " + InboxFile.describe(e)));
                }
            })) {
                emitter.fail(new InboxUnavailableException("the inbox is closing"));
            }
        });
    }

    /** A new entry's id: {@code m-} and 16 hex digits. */
    static String newId() {
        byte[] bytes = new byte[8];
        RANDOM.nextBytes(bytes);
        return "m-" + HexFormat.of().formatHex(bytes);
    }
}
