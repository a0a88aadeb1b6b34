package dev.quiesce.inbox;

import dev.quiesce.config.QuiesceConfig;
import dev.quiesce.drain.DrainListener;
import dev.quiesce.drain.DrainSnapshot;
import dev.quiesce.drain.DrainStateBean;
import dev.quiesce.drain.Phase;
import dev.quiesce.drain.TurnChange;
import dev.quiesce.notify.Notification;
import dev.quiesce.notify.NotificationSink;
import dev.quiesce.pipeline.InboundMessage;
import dev.quiesce.pipeline.MessagePipeline;
import dev.quiesce.pipeline.TurnOutcome;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Provider;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs saved messages whenever the gateway runs (SPEC §9): after CancelDrain, a lease's expiry, the
 * marker's removal, or at the start of a new instantiation. Oldest first, at most one turn per session
 * and {@code quiesce.inbox.replay-concurrency} at once, each through the same gate as a live message —
 * a new drain stops the replay, and what has not started stays saved. A turn's answer (or its failure
 * text) goes to the session's channel through the notification sink as {@code deferred_reply}; the
 * entry is removed once that delivery succeeded or finally failed, and only once that removal is
 * committed does the session's next entry start, so a chat's answers arrive in the order its messages
 * were sent. A crash in between runs it again, with the same deferred_id: at least once.
 *
 * <p>What to run next comes from the {@link InboxIndex} in memory; the texts of up to
 * {@value #READ_AHEAD} sessions' next entries are read from the store at once and kept until they run
 * (a session's next entry changes only when this replay finishes one). The attempt counts and the
 * removals are queued for the writer and committed in batches ({@link Inbox#replayChange}): one
 * transaction for everything that finished while the previous one was written; an attempt is counted
 * with the next batch after its turn started.
 *
 * <p>A {@code resume} entry (a turn a shutdown cut off, SPEC §10) is its session's head and runs with
 * {@code resumed} for the handler. Entries older than {@code quiesce.inbox.max-age} ({@code resume-max-age}
 * for a resume entry) are not run: their chat gets one
 * {@code deferred_expired} notice. All of this happens on one thread of its own, which reads and
 * changes the store through the inbox's writer ({@link Inbox#withStore}); the turns themselves run where
 * the pipeline runs them. Thread-safe.
 */
@ApplicationScoped
public class Replayer implements DrainListener {

    /** What a chat is told when its saved message was too old to run. */
    public static final String EXPIRED_TEXT = "A message you sent while this assistant was paused waited too long "
            + "and was not answered. Please send it again.";

    /** What a chat is told when its turn, cut off by a restart, was too old to pick up again. */
    public static final String RESUME_EXPIRED_TEXT = "Your task that was cut off when the assistant restarted "
            + "could not be picked up again in time. Please send it again.";

    /** A replayed turn's answer when its Uni failed, which a turn's never does: words for the user. */
    private static final String UNEXPECTED_FAILURE_TEXT =
            "Sorry, I could not answer that: the assistant ran into an error. Please try again.";

    /*
     * Resolved on the replay thread, when first needed: this listener is created while the state bean
     * starts (it resolves its listeners then), and these all depend on the state bean.
     */
    private final Provider<Inbox> inboxes;
    private final Provider<MessagePipeline> pipelines;
    private final Provider<DrainStateBean> states;
    private final NotificationSink sink;
    private final InboxMetrics metrics;
    private final Clock clock;
    private final int concurrency;
    private final Duration maxAge;
    private final Duration resumeMaxAge;
    private final Duration deliveryBudget;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread replay = new Thread(r, "quiesce-inbox-replay");
        replay.setDaemon(true);
        return replay;
    });
    /** How many sessions' next entries one read of the store fetches. */
    static final int READ_AHEAD = 64;

    /** On {@link #thread} only: the entries running now, by deferred id. */
    private final Map<String, InboxEntry> active = new HashMap<>();
    /**
     * On {@link #thread} only: entries answered or expired whose removal is not committed yet, by deferred
     * id. Their sessions wait: a session's next entry starts only after its predecessor is gone.
     */
    private final Map<String, InboxEntry> finishing = new HashMap<>();
    /**
     * On {@link #thread} only: the next entry of sessions not running, read ahead from the store opened for
     * the {@link #aheadOpening}th time, oldest first, at most one per session.
     */
    private final List<InboxEntry> ahead = new ArrayList<>();
    private int aheadOpening;
    /** On {@link #thread} only: whether entries were running or finishing when last told to the inbox. */
    private boolean running;
    /** A {@link #fill} is queued: state changes come by the thousand, one queued fill serves them all. */
    private final AtomicBoolean fillQueued = new AtomicBoolean();
    /** The last state change told (a turn's start or end alone makes none). */
    private volatile DrainSnapshot lastChange;

    @Inject
    Replayer(Provider<Inbox> inboxes, Provider<MessagePipeline> pipelines, Provider<DrainStateBean> states,
            NotificationSink sink, InboxMetrics metrics, Clock clock, QuiesceConfig config) {
        this.inboxes = inboxes;
        this.pipelines = pipelines;
        this.states = states;
        this.sink = sink;
        this.metrics = metrics;
        this.clock = clock;
        this.concurrency = config.inbox().replayConcurrency();
        this.maxAge = config.inbox().maxAge();
        this.resumeMaxAge = config.inbox().resumeMaxAge();
        this.deliveryBudget = config.notifications().budget();
    }

    @Override
    public void onChange(DrainSnapshot snapshot) {
        lastChange = snapshot;
        fillWhenWaiting(snapshot);
    }

    /** A turn's end may free a session whose saved messages wait (a live turn started in between). */
    @Override
    public void onTurn(TurnChange change) {
        DrainSnapshot last = lastChange;
        if (!change.started() && last != null) {
            fillWhenWaiting(last);
        }
    }

    private void fillWhenWaiting(DrainSnapshot snapshot) {
        if (snapshot.phase() == Phase.RUNNING && snapshot.inbox().waiting() > 0
                && fillQueued.compareAndSet(false, true)) {
            submit(() -> {
                fillQueued.set(false);
                fill();
            });
        }
    }

    /** Expires old entries, and picks up what a missed change left (a store that came back). */
    @Scheduled(every = "{quiesce.marker.poll-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void tick() {
        submit(() -> {
            expireOld();
            fill();
        });
    }

    @PreDestroy
    void stop() {
        thread.shutdownNow();
    }

    /** On the replay thread: starts turns until the concurrency is used, the inbox is empty, or the gate refuses. */
    private void fill() {
        Inbox inbox = inboxes.get();
        DrainStateBean state = states.get();
        boolean runs = inbox.isOpen() && state.phase() == Phase.RUNNING;
        if (!runs || inbox.openings() != aheadOpening) {
            // Read from a store that failed since, or before a pause: read again when it is time.
            ahead.clear();
            aheadOpening = inbox.openings();
        }
        if (!runs || active.size() >= concurrency) {
            settle();
            return;
        }
        Set<String> busy = new HashSet<>();
        active.values().forEach(entry -> busy.add(entry.sessionId()));
        finishing.values().forEach(entry -> busy.add(entry.sessionId()));
        state.running().forEach(turn -> busy.add(turn.turn().sessionId()));
        boolean read = false;
        while (active.size() < concurrency) {
            int next = next(busy);
            if (next < 0) {
                if (read || !readAhead(inbox, busy)) {
                    break;
                }
                read = true;
                continue;
            }
            InboxEntry entry = ahead.get(next);
            busy.add(entry.sessionId());
            if (expired(entry)) {
                ahead.remove(next);
                expire(entry);
                continue;
            }
            boolean resumed = entry.kind() == InboxEntry.Kind.RESUME;
            Optional<Uni<TurnOutcome>> turn = pipelines.get().replay(new InboundMessage(entry.sessionId(),
                    entry.channel(), entry.text(), entry.internal(), entry.messageId()), entry.deferredId(), resumed);
            if (turn.isEmpty()) {
                if (state.phase() != Phase.RUNNING) {
                    ahead.clear();
                    break; // a new drain, a shutdown: nothing more starts, and the entries stay saved
                }
                continue; // a live turn of that session started in between: its end fills again
            }
            ahead.remove(next);
            active.put(entry.deferredId(), entry);
            if (resumed) {
                metrics.resume("resumed");
            }
            // Counted once it started (with the next batch): attempts says how many times a replay ran it.
            inbox.replayChange(new Inbox.ReplayChange(new InboxStore.Change.Started(entry), committed -> {}));
            turn.get().subscribe().with(outcome -> submit(() -> answered(entry, outcome)), failure -> submit(
                    () -> answered(entry, new TurnOutcome(TurnOutcome.Kind.FAILED, UNEXPECTED_FAILURE_TEXT, ""))));
        }
        settle();
    }

    /** The position in {@link #ahead} of the oldest entry whose session is not busy; -1 when none. */
    private int next(Set<String> busy) {
        for (int i = 0; i < ahead.size(); i++) {
            if (!busy.contains(ahead.get(i).sessionId())) {
                return i;
            }
        }
        return -1;
    }

    /** Reads the next entries of up to {@link #READ_AHEAD} sessions neither busy nor read already. */
    private boolean readAhead(Inbox inbox, Set<String> busy) {
        Set<String> skip = new HashSet<>(busy);
        ahead.forEach(entry -> skip.add(entry.sessionId()));
        List<Long> heads = inbox.index().heads(READ_AHEAD, skip);
        if (heads.isEmpty()) {
            return false;
        }
        List<InboxEntry> read = inbox.withStore("reading the entries to replay next", store -> store.entries(heads))
                .orElse(List.of());
        ahead.addAll(read);
        return !read.isEmpty();
    }

    /** On the replay thread: delivers a replayed turn's answer and removes its entry. */
    private void answered(InboxEntry entry, TurnOutcome outcome) {
        active.remove(entry.deferredId());
        if (outcome.kind() == TurnOutcome.Kind.INTERRUPTED) {
            // Cut off by a shutdown: it stays saved and runs again, with the same id.
            settle();
            return;
        }
        boolean delivered = sink.send(new Notification(Notification.Kind.DEFERRED_REPLY, entry.channel(),
                entry.sessionId(), outcome.reply(), entry.messageId(), entry.deferredId()),
                clock.instant().plus(deliveryBudget));
        String result = delivered ? "delivered" : "delivery_failed";
        metrics.replayed(result);
        inboxes.get().audit().replayed(entry, result, outcome.kind().metricName(), clock.instant());
        remove(new InboxStore.Change.Finished(entry, clock.instant()));
        fill();
    }

    /** On the replay thread: entries older than their max-age get their notice and go. */
    private void expireOld() {
        ahead.clear(); // one of them may be among those read ahead
        for (InboxEntry.Kind kind : InboxEntry.Kind.values()) {
            inboxes.get().withStore("reading expired entries",
                    store -> store.olderThan(kind, clock.instant().minus(maxAge(kind))))
                    .orElse(List.of()).stream()
                    .filter(entry -> !active.containsKey(entry.deferredId())
                            && !finishing.containsKey(entry.deferredId()))
                    .forEach(this::expire);
        }
    }

    private boolean expired(InboxEntry entry) {
        return entry.receivedAt().plus(maxAge(entry.kind())).isBefore(clock.instant());
    }

    /** {@code quiesce.inbox.max-age} for a saved message, {@code resume-max-age} for a cut-off turn. */
    private Duration maxAge(InboxEntry.Kind kind) {
        return kind == InboxEntry.Kind.RESUME ? resumeMaxAge : maxAge;
    }

    /** On the replay thread: one deferred_expired notice, counted and audited, and the entry goes, unrun. */
    private void expire(InboxEntry entry) {
        boolean notified = sink.send(new Notification(Notification.Kind.DEFERRED_EXPIRED, entry.channel(),
                entry.sessionId(), entry.kind() == InboxEntry.Kind.RESUME ? RESUME_EXPIRED_TEXT : EXPIRED_TEXT,
                entry.messageId(), entry.deferredId()),
                clock.instant().plus(deliveryBudget));
        metrics.expired();
        inboxes.get().audit().expired(entry, notified, clock.instant());
        remove(new InboxStore.Change.Dropped(entry));
    }

    /**
     * On the replay thread: the entry is to leave the store and the index, with the writer's next batch;
     * until that is committed its session waits ({@link #finishing}). When the removal fails (the inbox
     * is unavailable now) the entry stays, and runs again: at least once, never lost.
     */
    private void remove(InboxStore.Change removal) {
        InboxEntry entry = removal.entry();
        finishing.put(entry.deferredId(), entry);
        inboxes.get().replayChange(new Inbox.ReplayChange(removal, committed -> submit(() -> {
            finishing.remove(entry.deferredId());
            if (committed) {
                Log.debugf("Inbox entry %s of session %s removed", entry.deferredId(), entry.sessionId());
            }
            fill();
        })));
    }

    private void settle() {
        boolean now = !active.isEmpty() || !finishing.isEmpty();
        if (now != running) {
            running = now;
            inboxes.get().replaying(now);
        }
    }

    private void submit(Runnable work) {
        try {
            thread.execute(() -> {
                try {
                    work.run();
                } catch (RuntimeException e) {
                    Log.errorf(e, "Inbox replay step failed; it is tried again on the next tick");
                }
            });
        } catch (RejectedExecutionException e) {
            // stopping
        }
    }
}
