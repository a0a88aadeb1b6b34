package dev.quiesce.inbox;

import dev.quiesce.config.QuiesceConfig;
import dev.quiesce.drain.DrainListener;
import dev.quiesce.drain.DrainSnapshot;
import dev.quiesce.drain.DrainStateBean;
import dev.quiesce.drain.Phase;
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
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;

/**
 * Runs saved messages whenever the gateway runs (SPEC §9): after CancelDrain, a lease's expiry, the
 * marker's removal, or at the start of a new instantiation. Oldest first, at most one turn per session
 * and {@code quiesce.inbox.replay-concurrency} at once, each through the same gate as a live message —
 * a new drain stops the replay, and what has not started stays saved. A turn's answer (or its failure
 * text) goes to the session's channel through the notification sink as {@code deferred_reply}; the
 * entry is removed once that delivery succeeded or finally failed. A crash in between runs it again,
 * with the same deferred_id: at least once.
 *
 * <p>Entries older than {@code quiesce.inbox.max-age} are not run: their chat gets one
 * {@code deferred_expired} notice. All of this happens on one thread of its own; the turns themselves
 * run where the pipeline runs them. Thread-safe.
 */
@ApplicationScoped
public class Replayer implements DrainListener {

    /** What a chat is told when its saved message was too old to run. */
    public static final String EXPIRED_TEXT = "A message you sent while this assistant was paused waited too long "
            + "and was not answered. Please send it again.";

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
    private final Duration deliveryBudget;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread replay = new Thread(r, "quiesce-inbox-replay");
        replay.setDaemon(true);
        return replay;
    });
    /** Touched on {@link #thread} only: the entries running now, by deferred id. */
    private final Map<String, InboxEntry> active = new ConcurrentHashMap<>();
    private volatile boolean running;

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
        this.deliveryBudget = config.notifications().budget();
    }

    @Override
    public void onChange(DrainSnapshot snapshot) {
        boolean now = snapshot.phase() == Phase.RUNNING && snapshot.inbox().waiting() > 0;
        if (now) {
            submit(this::fill);
        }
    }

    /** Expires old entries, and picks up what a missed change left (a store that came back). */
    @Scheduled(every = "{quiesce.marker.poll-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void tick() {
        submit(() -> {
            expire();
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
        InboxStore store = inbox.store();
        if (store == null || state.current().phase() != Phase.RUNNING || active.size() >= concurrency) {
            settle();
            return;
        }
        Set<String> busy = new HashSet<>();
        active.values().forEach(entry -> busy.add(entry.sessionId()));
        for (var turn : state.running()) {
            busy.add(turn.turn().sessionId());
        }
        List<InboxEntry> heads;
        try {
            heads = store.heads(concurrency - active.size(), busy);
        } catch (SQLException e) {
            Log.warnf("Inbox replay could not read the next entries: %s (tried again on the next tick)",
                    InboxFile.describe(e));
            settle();
            return;
        }
        for (InboxEntry entry : heads) {
            if (expired(entry)) {
                drop(store, entry);
                continue;
            }
            try {
                store.startAttempt(entry.deferredId());
            } catch (SQLException e) {
                Log.warnf("Inbox replay could not count an attempt of %s: %s", entry.deferredId(), InboxFile.describe(e));
                break;
            }
            Optional<Uni<TurnOutcome>> turn = pipelines.get().replay(new InboundMessage(entry.sessionId(), entry.channel(),
                    entry.text(), entry.internal(), entry.messageId()), entry.deferredId());
            if (turn.isEmpty()) {
                break; // the gate said no: a new drain, a shutdown; the entry stays saved
            }
            active.put(entry.deferredId(), entry);
            turn.get().subscribe().with(outcome -> submit(() -> answered(entry, outcome)),
                    failure -> submit(() -> answered(entry, new TurnOutcome(TurnOutcome.Kind.FAILED,
                            "Sorry, I could not answer that: the assistant ran into an error. Please try again.", ""))));
        }
        settle();
    }

    /** On the replay thread: delivers a replayed turn's answer and removes its entry. */
    private void answered(InboxEntry entry, TurnOutcome outcome) {
        active.remove(entry.deferredId());
        InboxStore store = inboxes.get().store();
        if (outcome.kind() == TurnOutcome.Kind.INTERRUPTED || store == null) {
            // Cut off by a shutdown (or the store went away): it stays saved and runs again, same id.
            settle();
            return;
        }
        boolean delivered = sink.send(new Notification(Notification.Kind.DEFERRED_REPLY, entry.channel(),
                entry.sessionId(), outcome.reply(), entry.messageId(), entry.deferredId()),
                clock.instant().plus(deliveryBudget));
        metrics.replayed(delivered ? "delivered" : "delivery_failed");
        remove(store, entry, delivered ? "answered" : "answer not delivered");
        fill();
    }

    /** On the replay thread: entries older than max-age get their notice and go. */
    private void expire() {
        InboxStore store = inboxes.get().store();
        if (store == null) {
            return;
        }
        try {
            for (InboxEntry entry : store.olderThan(InboxEntry.Kind.DEFERRED, clock.instant().minus(maxAge))) {
                if (!active.containsKey(entry.deferredId())) {
                    drop(store, entry);
                }
            }
        } catch (SQLException e) {
            Log.warnf("Inbox expiry could not read the store: %s", InboxFile.describe(e));
        }
    }

    private boolean expired(InboxEntry entry) {
        return entry.receivedAt().plus(maxAge).isBefore(clock.instant());
    }

    private void drop(InboxStore store, InboxEntry entry) {
        sink.send(new Notification(Notification.Kind.DEFERRED_EXPIRED, entry.channel(), entry.sessionId(), EXPIRED_TEXT,
                entry.messageId(), entry.deferredId()), clock.instant().plus(deliveryBudget));
        metrics.expired();
        remove(store, entry, "expired");
    }

    private void remove(InboxStore store, InboxEntry entry, String why) {
        try {
            store.finish(entry, clock.instant());
            inboxes.get().index().remove(entry);
            inboxes.get().publish();
            Log.debugf("Inbox entry %s of session %s removed: %s", entry.deferredId(), entry.sessionId(), why);
        } catch (SQLException e) {
            // It stays, and runs again: at least once, never lost.
            Log.warnf("Inbox entry %s could not be removed (%s): it will run again", entry.deferredId(),
                    InboxFile.describe(e));
        }
    }

    private void settle() {
        boolean now = !active.isEmpty();
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
