package dev.quiesce.inbox;

import dev.quiesce.config.QuiesceConfig;
import dev.quiesce.drain.DrainAuditLog;
import dev.quiesce.drain.DrainStateBean;
import dev.quiesce.drain.InboxSummary;
import dev.quiesce.home.QuiesceHome;
import dev.quiesce.pipeline.Deferral;
import dev.quiesce.pipeline.InFlightTurns;
import dev.quiesce.pipeline.InboundMessage;
import io.quarkus.logging.Log;
import io.quarkus.runtime.Startup;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.Priority;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * The inbox (SPEC §9): what a user sends while the gateway cannot start it is saved durably and
 * answered later, in order, once. This bean is the pipeline's {@link Deferral}: it decides what is
 * kept, and saves it. {@link InboxIndex} answers the hot-path questions from memory, so a running
 * gateway asks the disk nothing per message.
 *
 * <p>One writer: every use of the store — saves, the listing, the {@link Replayer}'s reads and removals —
 * runs on one thread, in the order it was asked for, and a saver is answered once its change is
 * committed. Saves ({@link InboxSaves}) and the replay's changes are committed in batches (group
 * commit: one fsync for all that queued while the previous one ran). The store is opened before the
 * first ingress. If it cannot be (an unwritable home, a file it cannot repair), or fails later (a write
 * refused, a page found corrupt), the gateway runs in refuse mode, says why ({@code DrainState.inbox.error},
 * {@code quiesce_inbox_unavailable}) and opens it again on a later poll tick. Thread-safe.
 */
@ApplicationScoped
@Startup(Integer.MIN_VALUE + 1) // right after the config check: the rest of the start-up runs beside its opening
public class Inbox implements Deferral {

    /** How long {@link #recordResumes} waits for its commit (a slow disk; see {@link ResumeRecorder}). */
    public static final Duration RESUME_RECORD_WAIT = Duration.ofSeconds(2);
    /** How long {@link #close} waits for the saves queued before it. */
    public static final Duration CLOSE_WAIT = Duration.ofSeconds(2);

    /** How long the start-up waits for the store's first opening. */
    static final Duration FIRST_OPENING_WAIT = Duration.ofSeconds(10);

    private static final SecureRandom RANDOM = new SecureRandom();

    private final QuiesceConfig.Inbox config;
    private final Clock clock;
    private final DrainStateBean state;
    private final InboxMetrics metrics;
    private final InboxAudit audit;
    private final InboxIndex index = new InboxIndex();
    /** The one writer, and the store. Its queue is the arrival order. */
    private final InboxWriter writer;
    /** The saves, committed in batches on the writer. */
    private final InboxSaves saves;
    /** The shutdown's record of running turns (SPEC §10), on the same writer. */
    private final ResumeRecorder resumes;
    /** The replay's changes (attempts, removals), committed in batches on the writer. */
    private final GroupCommit<ReplayChange> replayChanges;
    /** Written on the writer thread. */
    private volatile boolean replaying;
    /** On the writer thread only: when answered message ids were last forgotten. */
    private Instant pruned = Instant.EPOCH;
    /** Completes when the start's opening of the store ended, opened or not. */
    private final CompletableFuture<Void> firstOpening = new CompletableFuture<>();
    /** The shutdown closed the store: nothing is kept any more, and that is not a failure. */
    private volatile boolean closed;

    @Inject
    Inbox(QuiesceHome home, QuiesceConfig config, Clock clock, DrainStateBean state, InboxMetrics metrics,
            DrainAuditLog auditLog) {
        this.config = config.inbox();
        this.clock = clock;
        this.state = state; // the proxy: the state bean may still be starting when the inbox is made
        this.metrics = metrics;
        this.audit = new InboxAudit(auditLog);
        this.writer = new InboxWriter(new InboxFile(home.path(), clock), index, metrics, this::publish);
        this.saves = new InboxSaves(writer, index, metrics, audit, this.config, clock, state::phase,
                this::publish);
        this.replayChanges = new GroupCommit<>(writer, InboxSaves.BATCH, this::commitReplayChanges,
                change -> change.done().accept(false));
        this.resumes = new ResumeRecorder(this.config.resume(), writer, index, metrics, audit, clock, this::publish);
    }

    /**
     * Opens the store at start, on the writer, while the rest of the start-up goes on: loading SQLite's
     * native library, Flyway's check of the schema and the index take half a second or more, most of
     * the gateway's own start-up. {@link #awaitFirstOpening} holds the start back until it is done, so
     * the port opens only then and no message can overtake a session's saved ones.
     */
    @PostConstruct
    void open() {
        if (!writer.run(() -> {
            try {
                writer.reopen();
            } finally {
                firstOpening.complete(null);
            }
        })) {
            firstOpening.complete(null);
        }
    }

    /**
     * The last step of the start-up but one (before the health publisher): waits until the store's first
     * opening ended, opened or not. A disk that holds it up longer than {@link #FIRST_OPENING_WAIT}
     * lets the gateway start without it: unavailable (refuse mode) until the opening ends, as after a
     * failed one.
     */
    void awaitFirstOpening(@Observes @Priority(Integer.MAX_VALUE - 1) StartupEvent event) {
        try {
            firstOpening.get(FIRST_OPENING_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            Log.warnf("The inbox is still being opened after %d s; starting without it until then",
                    FIRST_OPENING_WAIT.toSeconds());
            publish();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause()); // the task completes normally or not at all
        }
    }

    /** Every poll tick, on the writer: opens an unavailable store again, writes the audit batch, prunes. */
    @Scheduled(every = "{quiesce.marker.poll-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void tick() {
        writer.run(() -> {
            if (!writer.isOpen()) {
                writer.reopen();
            } else if (clock.instant().isAfter(pruned.plusSeconds(60))) {
                pruned = clock.instant();
                writer.withOpenStore("forgetting answered message ids", s -> {
                    s.pruneAnswered(pruned.minus(config.dedupWindow()));
                    return null;
                });
            }
            audit.flush();
        });
    }

    /**
     * Closes the store, the shutdown's last step before {@code stopped} (SPEC §10): what is being saved is
     * committed (up to {@link #CLOSE_WAIT}), the audit batch written; a message that arrives later is refused
     * as before. Idempotent.
     */
    @PreDestroy
    public void close() {
        if (!closed) {
            closed = true;
            writer.close(audit::flush, CLOSE_WAIT);
        }
    }

    /**
     * Records the running user turns with a channel as {@code resume} entries before the shutdown waits
     * for them (SPEC §10): see {@link ResumeRecorder#record}.
     *
     * @param running the turns running now ({@code MessagePipeline#running})
     * @return what was recorded; {@link ResumeRecord#NONE} once the store is closed
     */
    public ResumeRecord recordResumes(List<InFlightTurns.Running> running) {
        return closed ? ResumeRecord.NONE : resumes.record(running);
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
        // Without a channel its answer has nowhere to go; once the shutdown closed the store, nothing is kept.
        if (!defer || message.channel().isEmpty() || closed) {
            return false;
        }
        if (!writer.isOpen()) {
            metrics.refused("unavailable"); // it would have been kept
            return false;
        }
        return true;
    }

    @Override
    public Uni<Deposit> save(InboundMessage message) {
        // Queued from the subscription, in arrival order: the session's next message queues behind.
        return Uni.createFrom().emitter(emitter -> saves.save(message, emitter::complete));
    }

    /** On the writer: tells the state what the inbox holds. */
    void publish() {
        state.inboxChanged(new InboxSummary(index.waiting(), index.oldestReceivedAt(), replaying, writer.error()));
    }

    /** True while the store is open. */
    boolean isOpen() {
        return writer.isOpen();
    }

    /** Uses the store from the replay's thread: see {@link InboxWriter#withStore}. */
    <T> Optional<T> withStore(String doing, InboxWriter.StoreWork<T> work) {
        return writer.withStore(doing, work);
    }

    InboxIndex index() {
        return index;
    }

    /** How many times the store was opened: entries read from an earlier opening may be gone since. */
    int openings() {
        return writer.openings();
    }

    /**
     * A change of the replay, and whom to tell: {@code done} hears on the writer, true once the change
     * is committed, false when it was not made (the store failed or is closing).
     */
    record ReplayChange(InboxStore.Change change, Consumer<Boolean> done) {}

    /** Queues {@code change} for the writer's next batch of the replay's changes (group commit). */
    void replayChange(ReplayChange change) {
        replayChanges.add(change);
    }

    /** On the writer: the batch in one transaction, then the index and one publish, then each is told. */
    private void commitReplayChanges(List<ReplayChange> batch) {
        List<InboxStore.Change> changes = batch.stream().map(ReplayChange::change).toList();
        boolean committed = writer.withOpenStore("updating " + changes.size() + " replayed entries", store -> {
            store.apply(changes);
            return true;
        }).isPresent();
        if (committed) {
            boolean removed = false;
            for (InboxStore.Change change : changes) {
                if (!(change instanceof InboxStore.Change.Started)) {
                    index.remove(change.entry());
                    removed = true;
                }
            }
            if (removed) {
                publish();
            }
        }
        batch.forEach(change -> change.done().accept(committed));
    }

    InboxAudit audit() {
        return audit;
    }

    /** The replay started or stopped running entries: published, in order with the writer's changes. */
    void replaying(boolean now) {
        writer.run(() -> {
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
            if (!writer.run(() -> {
                Optional<List<InboxEntry>> page = writer.withOpenStore("listing entries", s -> s.page(afterSeq, limit));
                if (page.isPresent()) {
                    emitter.complete(page.get());
                } else {
                    emitter.fail(new InboxUnavailableException(writer.error()));
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
