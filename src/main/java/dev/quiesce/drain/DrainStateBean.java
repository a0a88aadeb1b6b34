package dev.quiesce.drain;

import dev.quiesce.config.QuiesceConfig;
import dev.quiesce.marker.DrainMarker;
import dev.quiesce.marker.DrainMarkerStore;
import dev.quiesce.marker.IgnoredReason;
import dev.quiesce.marker.MarkerJudge;
import dev.quiesce.marker.MarkerJudgement;
import dev.quiesce.marker.MarkerRead;
import dev.quiesce.marker.MarkerStatus;
import dev.quiesce.marker.MarkerWriteException;
import dev.quiesce.pipeline.Admission;
import dev.quiesce.pipeline.TurnInfo;
import io.quarkus.arc.ClientProxy;
import io.quarkus.logging.Log;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The one place that decides the gateway's phase (SPEC §3), and the accept gate's source of truth.
 *
 * <p>Inputs: BeginDrain/CancelDrain from the API, marker reconciles (file-system watch, scheduler
 * tick, lease timer), turn admission/release from the pipeline, and shutdown. Outputs: an
 * immutable {@link DrainSnapshot} per version, pushed to every {@link DrainListener}.
 *
 * <p>Thread-safe. Two locks:
 * <ul>
 *   <li>{@code controlLock} serialises the transitions that touch the marker file (begin, cancel,
 *       reconcile, shutdown), so the file and memory never disagree. Held across file I/O.
 *   <li>{@code stateLock} guards every field below it and is held only for in-memory updates, so
 *       turn admission never waits for an fsync. The gate check and the in-flight registration
 *       happen under it in one step, as does the phase change: a turn is admitted either before a
 *       drain (and counted in flight) or not at all.
 * </ul>
 * Listeners are called after {@code stateLock} is released.
 */
@Singleton
@Startup
public class DrainStateBean {

    /** Longest accepted drain reason. */
    public static final int MAX_REASON_LENGTH = 256;

    /**
     * Longest drain_id CancelDrain accepts (ours are 18 characters). A refusal quotes the id it
     * got, and a description must stay small enough for a gRPC trailer.
     */
    public static final int MAX_DRAIN_ID_LENGTH = 256;

    private static final String MARKER_PRINCIPAL = "marker";

    private final DrainMarkerStore store;
    private final MarkerJudge judge;
    private final Clock clock;
    private final Duration defaultLease;
    private final Duration maxLease;
    private final List<DrainListener> listeners = new ArrayList<>();
    private Instance<DrainListener> listenerBeans;

    private final ReentrantLock controlLock = new ReentrantLock();
    private final ReentrantLock stateLock = new ReentrantLock();
    /** Signalled (under stateLock) whenever a turn is released. */
    private final java.util.concurrent.locks.Condition turnReleased = stateLock.newCondition();
    // --- guarded by stateLock ---
    private Phase phase = Phase.STARTING;
    private ActiveDrain drain;
    /** Running turns by session id, in admission order. */
    private final LinkedHashMap<String, TurnInfo> turns = new LinkedHashMap<>();
    private MarkerJudgement marker = MarkerJudgement.ABSENT;
    private long version;
    // --- end guarded by stateLock ---

    /** The snapshot of the newest version; read without locking. */
    private volatile DrainSnapshot latest;

    private final Object publishLock = new Object();
    /** Guarded by publishLock: the newest version handed to listeners. */
    private long lastPublished = -1;

    private final String turnIdPrefix = randomHex(3) + "-";
    private final AtomicLong turnCounter = new AtomicLong();
    /**
     * Re-reads the marker when a lease runs out. Every renewal and every reconcile of an active
     * drain replaces the pending check, so a cancelled check must leave the queue at once: by
     * default it would stay there, holding memory, until the lease it watched would have ended (an
     * hour by default, up to a day), piling up with every renewal and poll tick of a long drain.
     */
    private final ScheduledThreadPoolExecutor leaseTimer = newLeaseTimer();
    private ScheduledFuture<?> leaseCheck;
    /** Guarded by controlLock: the last judgement logged, so a recurring one is logged once. */
    private MarkerJudgement lastLoggedJudgement = MarkerJudgement.ABSENT;
    /** Guarded by controlLock: the last reconcile failure logged, so a recurring one is logged once. */
    private String lastReconcileError = "";

    @Inject
    public DrainStateBean(
            QuiesceConfig config,
            DrainMarkerStore store,
            MarkerJudge judge,
            Clock clock,
            @Any Instance<DrainListener> listenerBeans) {
        this(store, judge, clock, config.drain().defaultLease(), config.drain().maxLease(), List.of());
        this.listenerBeans = listenerBeans;
    }

    /** For plain unit tests: explicit settings and listeners; call {@link #start()} yourself. */
    public DrainStateBean(
            DrainMarkerStore store,
            MarkerJudge judge,
            Clock clock,
            Duration defaultLease,
            Duration maxLease,
            List<DrainListener> listeners) {
        this.store = store;
        this.judge = judge;
        this.clock = clock;
        this.defaultLease = defaultLease;
        this.maxLease = maxLease;
        this.listeners.addAll(listeners);
        this.latest = snapshotLocked(clock.instant());
    }

    /**
     * Resolves the listener beans and performs the first reconcile, before any ingress is served:
     * a gateway restarted with an active same-epoch marker never admits a user turn.
     */
    @PostConstruct
    public void start() {
        if (listenerBeans != null) {
            // The beans themselves, not their client proxies: listeners run on every turn start and
            // end, and each call through a proxy looks the instance up in its context again.
            listenerBeans.forEach(listener -> listeners.add(ClientProxy.unwrap(listener)));
        }
        reconcile("startup");
    }

    @PreDestroy
    void close() {
        leaseTimer.shutdownNow();
    }

    /** The newest snapshot. Lock-free. */
    public DrainSnapshot current() {
        return latest;
    }

    /** This instantiation's epoch. */
    public String epoch() {
        return judge.currentEpoch();
    }

    /**
     * Begins a drain, or renews the active one (same drain_id, lease renewed, reason and
     * suppress_notification updated). The marker is made durable first; the phase changes
     * after, and before this method returns, so no user turn starts once the caller has the reply.
     *
     * @return the state with the drain in force
     * @throws DrainRefusedException INVALID_REQUEST, SHUTTING_DOWN, or MARKER_UNAVAILABLE (nothing changed)
     */
    public DrainSnapshot beginDrain(BeginDrainCommand command) {
        String reason = command.reason() == null ? "" : command.reason();
        Duration lease = leaseFor(command.lease());
        if (reason.length() > MAX_REASON_LENGTH) {
            throw new DrainRefusedException(DrainRefusedException.Reason.INVALID_REQUEST,
                    "reason is " + reason.length() + " characters; at most " + MAX_REASON_LENGTH + " are allowed");
        }
        controlLock.lock();
        try {
            DrainSnapshot before = latest;
            refuseWhenShuttingDown(before, "begin a drain");
            Instant now = now();
            ActiveDrain existing = before.drain();
            ActiveDrain next = existing == null
                    ? new ActiveDrain(newDrainId(), now, command.principal(), reason,
                            command.suppressNotification(), now.plus(lease), ActiveDrain.Source.API)
                    : new ActiveDrain(existing.drainId(), existing.requestedAt(), existing.principal(), reason,
                            command.suppressNotification(), now.plus(lease), existing.source());
            DrainMarker written = toMarker(next);
            try {
                store.write(written);
            } catch (MarkerWriteException e) {
                Log.warnf("BeginDrain refused: %s", e.getMessage());
                throw new DrainRefusedException(DrainRefusedException.Reason.MARKER_UNAVAILABLE,
                        e.getMessage() + "; the drain was not begun and nothing changed", e);
            }
            DrainSnapshot after;
            stateLock.lock();
            try {
                if (phase.isShuttingDown()) {
                    after = null;
                } else {
                    // Closed before the reply: after BeginDrain returns, no user turn starts.
                    phase = Phase.DRAINING;
                    drain = next;
                    marker = new MarkerJudgement(MarkerStatus.ACTIVE, IgnoredReason.NONE, written, "");
                    after = bumpLocked();
                    lastLoggedJudgement = marker; // our own write: nothing for the watcher to announce
                }
            } finally {
                stateLock.unlock();
            }
            if (after == null) {
                refuseWhenShuttingDown(latest, "begin a drain");
            }
            scheduleLeaseCheck(next.leaseExpiresAt());
            publish(after);
            DrainEvent.Kind kind = existing == null ? DrainEvent.Kind.BEGIN : DrainEvent.Kind.RENEW;
            emit(new DrainEvent(kind, command.principal(), reason, next.drainId(), after.inFlightCount(),
                    existing == null ? "began" : "renewed", "lease until " + next.leaseExpiresAt(), now));
            return after;
        } finally {
            controlLock.unlock();
        }
    }

    /**
     * Cancels the active drain: the marker is removed first, then turns are admitted again.
     * A no-op success when no drain is active.
     *
     * @param principal who asks, for the audit log
     * @param drainId the drain to cancel; empty = whichever is active
     * @throws DrainRefusedException INVALID_REQUEST (a drain_id over {@link #MAX_DRAIN_ID_LENGTH}
     *     characters), SHUTTING_DOWN, WRONG_DRAIN_ID, or MARKER_UNAVAILABLE (the drain stays on)
     */
    public DrainSnapshot cancelDrain(String principal, String drainId) {
        if (drainId != null && drainId.length() > MAX_DRAIN_ID_LENGTH) {
            throw new DrainRefusedException(DrainRefusedException.Reason.INVALID_REQUEST,
                    "drain_id is " + drainId.length() + " characters; a drain_id is at most " + MAX_DRAIN_ID_LENGTH
                            + " (send the one GetState shows, or an empty drain_id to cancel any drain)");
        }
        controlLock.lock();
        try {
            DrainSnapshot before = latest;
            refuseWhenShuttingDown(before, "cancel a drain");
            ActiveDrain active = before.drain();
            if (active == null) {
                return before;
            }
            if (drainId != null && !drainId.isEmpty() && !drainId.equals(active.drainId())) {
                throw new DrainRefusedException(DrainRefusedException.Reason.WRONG_DRAIN_ID,
                        "drain_id '" + drainId + "' is not the active drain; the active drain_id is '"
                                + active.drainId() + "' (send it, or an empty drain_id to cancel any drain)");
            }
            try {
                store.remove();
            } catch (MarkerWriteException e) {
                Log.warnf("CancelDrain refused: %s", e.getMessage());
                throw new DrainRefusedException(DrainRefusedException.Reason.MARKER_UNAVAILABLE,
                        e.getMessage() + "; the drain is still on", e);
            }
            DrainSnapshot after;
            stateLock.lock();
            try {
                phase = Phase.RUNNING;
                drain = null;
                marker = MarkerJudgement.ABSENT;
                after = bumpLocked();
                lastLoggedJudgement = MarkerJudgement.ABSENT;
            } finally {
                stateLock.unlock();
            }
            publish(after);
            emit(new DrainEvent(DrainEvent.Kind.CANCEL, principal, active.reason(), active.drainId(),
                    after.inFlightCount(), "cancelled", "", now()));
            return after;
        } finally {
            controlLock.unlock();
        }
    }

    /**
     * Reads and judges the marker file and brings the phase in line with it: an active marker
     * drains, a missing/ignored/unreadable one ends a drain (EXPIRED when its lease or max-age ran
     * out). During shutdown only the judgement is updated. Never throws.
     *
     * @param trigger what caused the reconcile, for the log
     */
    public void reconcile(String trigger) {
        controlLock.lock();
        try {
            MarkerRead read = store.read();
            Instant now = now();
            MarkerJudgement judged = judge.judge(read, now);
            logJudgementOnce(judged);
            DrainSnapshot after = null;
            DrainEvent event = null;
            ActiveDrain toWatch = null;
            stateLock.lock();
            try {
                boolean changed = !sameJudgement(marker, judged);
                marker = judged;
                if (!phase.isShuttingDown()) {
                    if (judged.isActive()) {
                        ActiveDrain fromMarker = drainFromMarker(judged, drain, now);
                        if (phase != Phase.DRAINING) {
                            phase = Phase.DRAINING;
                            drain = fromMarker;
                            changed = true;
                            event = new DrainEvent(DrainEvent.Kind.MARKER_BEGIN, principalOf(fromMarker),
                                    fromMarker.reason(), fromMarker.drainId(), turns.size(), "adopted",
                                    "drain taken from the marker file (" + trigger + ")", now);
                        } else if (!fromMarker.sameAs(drain)) {
                            drain = fromMarker;
                            changed = true;
                        }
                        toWatch = drain;
                    } else if (phase == Phase.DRAINING) {
                        ActiveDrain ended = drain;
                        phase = Phase.RUNNING;
                        drain = null;
                        changed = true;
                        boolean expired = judged.ignoredReason() == IgnoredReason.EXPIRED;
                        event = new DrainEvent(expired ? DrainEvent.Kind.EXPIRY : DrainEvent.Kind.MARKER_CANCEL,
                                MARKER_PRINCIPAL, ended.reason(), ended.drainId(), turns.size(),
                                expired ? "expired" : "cancelled",
                                describeEnd(judged), now);
                    } else if (phase == Phase.STARTING) {
                        phase = Phase.RUNNING;
                        changed = true;
                    }
                }
                if (changed) {
                    after = bumpLocked();
                }
            } finally {
                stateLock.unlock();
            }
            if (toWatch != null) {
                scheduleLeaseCheck(toWatch.leaseExpiresAt());
            }
            publish(after);
            if (event != null) {
                Log.infof("Drain %s: %s (%s)", event.drainId(), event.outcome(), event.detail());
                emit(event);
            }
            lastReconcileError = "";
        } catch (RuntimeException e) {
            if (!e.toString().equals(lastReconcileError)) {
                Log.errorf(e, "Marker reconcile (%s) failed; the state is unchanged (logged once per cause)", trigger);
            }
            lastReconcileError = e.toString();
        } finally {
            controlLock.unlock();
        }
    }

    /**
     * Enters STOPPING: readiness goes DOWN and the gate closes to every turn. One-way; a second
     * call is ignored with a log line. Waits briefly for a control call in progress so the marker
     * and memory still agree, but never longer than two seconds.
     */
    public DrainSnapshot enterStopping() {
        boolean locked = false;
        try {
            locked = controlLock.tryLock(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            DrainSnapshot after;
            ActiveDrain during;
            stateLock.lock();
            try {
                if (phase.isShuttingDown()) {
                    Log.infof("Already %s; enterStopping ignored", phase);
                    return latest;
                }
                phase = Phase.STOPPING;
                during = drain;
                after = bumpLocked();
            } finally {
                stateLock.unlock();
            }
            leaseTimer.shutdownNow();
            publish(after);
            emit(new DrainEvent(DrainEvent.Kind.SHUTDOWN, "system", during == null ? "" : during.reason(),
                    during == null ? "" : during.drainId(), after.inFlightCount(),
                    during == null ? "stopping" : "shutdown", "", now()));
            return after;
        } finally {
            if (locked) {
                controlLock.unlock();
            }
        }
    }

    /** STOPPING → STOPPED, the last state change. No-op in any other phase. */
    public DrainSnapshot markStopped() {
        DrainSnapshot after = null;
        stateLock.lock();
        try {
            if (phase == Phase.STOPPING) {
                phase = Phase.STOPPED;
                after = bumpLocked();
            }
        } finally {
            stateLock.unlock();
        }
        publish(after);
        return latest;
    }

    /**
     * The accept gate: checks the phase and registers the turn in flight in one atomic step.
     * RUNNING admits every turn; DRAINING only internal ones; STARTING, STOPPING and STOPPED none.
     * A session with a turn running is refused as BUSY.
     *
     * @return {@link Admission.Admitted} (release it exactly once with {@link #release}) or
     *     {@link Admission.Refused}
     */
    public Admission tryAdmit(String sessionId, String channel, boolean internal) {
        DrainSnapshot after;
        TurnInfo turn;
        stateLock.lock();
        try {
            switch (phase) {
                case STOPPING, STOPPED:
                    return new Admission.Refused(Admission.Why.STOPPING);
                case STARTING:
                    return new Admission.Refused(Admission.Why.DRAINING);
                case DRAINING:
                    if (!internal) {
                        return new Admission.Refused(Admission.Why.DRAINING);
                    }
                    break;
                default:
                    break;
            }
            if (turns.containsKey(sessionId)) {
                return new Admission.Refused(Admission.Why.BUSY);
            }
            Instant now = clock.instant();
            turn = new TurnInfo(turnIdPrefix + turnCounter.incrementAndGet(), sessionId,
                    channel == null ? "" : channel, now, internal, version);
            turns.put(sessionId, turn);
            after = bumpLocked(now);
        } finally {
            stateLock.unlock();
        }
        publish(after);
        return new Admission.Admitted(turn);
    }

    /**
     * Ends an admitted turn's registration. Idempotent: a second release of the same turn is
     * ignored and returns false.
     */
    public boolean release(TurnInfo turn) {
        DrainSnapshot after;
        stateLock.lock();
        try {
            TurnInfo registered = turns.get(turn.sessionId());
            if (registered == null || !registered.turnId().equals(turn.turnId())) {
                return false;
            }
            turns.remove(turn.sessionId());
            after = bumpLocked();
            turnReleased.signalAll();
        } finally {
            stateLock.unlock();
        }
        publish(after);
        return true;
    }

    /**
     * Waits until no turn is running, or the timeout passes.
     *
     * @return true if no turn is running
     */
    public boolean awaitIdle(Duration timeout) {
        long remaining = timeout.toNanos();
        stateLock.lock();
        try {
            while (!turns.isEmpty()) {
                if (remaining <= 0) {
                    return false;
                }
                remaining = turnReleased.awaitNanos(remaining);
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return turns.isEmpty();
        } finally {
            stateLock.unlock();
        }
    }

    // ---------------------------------------------------------------- internals

    private Duration leaseFor(Duration requested) {
        Duration lease = requested == null ? Duration.ZERO : requested;
        if (lease.isNegative()) {
            throw new DrainRefusedException(DrainRefusedException.Reason.INVALID_REQUEST,
                    "lease must not be negative (got " + lease + "); send 0 for the default of " + defaultLease);
        }
        if (lease.isZero()) {
            return defaultLease;
        }
        if (lease.compareTo(maxLease) > 0) {
            throw new DrainRefusedException(DrainRefusedException.Reason.INVALID_REQUEST,
                    "lease " + lease + " is longer than the maximum of " + maxLease
                            + "; renew the drain with BeginDrain before it expires instead");
        }
        return lease;
    }

    private static void refuseWhenShuttingDown(DrainSnapshot snapshot, String action) {
        if (snapshot.phase().isShuttingDown()) {
            throw new DrainRefusedException(DrainRefusedException.Reason.SHUTTING_DOWN,
                    "cannot " + action + ": the gateway is " + snapshot.phase()
                            + " (shutdown wins; the marker on disk is left as it is)");
        }
    }

    private DrainMarker toMarker(ActiveDrain drain) {
        return new DrainMarker(DrainMarker.ACTION_DRAIN, drain.requestedAt(), drain.principal(), judge.currentEpoch(),
                drain.suppressNotification(), drain.drainId(), drain.reason(), drain.leaseExpiresAt());
    }

    /**
     * The drain an active marker describes. A marker without a drain_id (the reference's, or an
     * unparseable one) keeps the id of the drain already in force, so it stays cancellable by id.
     */
    private ActiveDrain drainFromMarker(MarkerJudgement judged, ActiveDrain current, Instant now) {
        DrainMarker body = judged.marker();
        if (body == null) {
            return current != null ? current
                    : new ActiveDrain(newDrainId(), now, "", "unparseable marker file", false, null,
                            ActiveDrain.Source.MARKER);
        }
        String id = body.drainId() != null && !body.drainId().isEmpty() ? body.drainId()
                : current != null ? current.drainId() : newDrainId();
        ActiveDrain.Source source = current != null && current.drainId().equals(id)
                ? current.source() : ActiveDrain.Source.MARKER;
        Instant requestedAt = body.requestedAt() != null ? body.requestedAt()
                : current != null ? current.requestedAt() : now;
        return new ActiveDrain(id, requestedAt, Objects.requireNonNullElse(body.principal(), ""),
                Objects.requireNonNullElse(body.reason(), ""), body.suppressNotification(),
                body.leaseExpiresAt(), source);
    }

    private static String principalOf(ActiveDrain drain) {
        return drain.principal().isEmpty() ? MARKER_PRINCIPAL : drain.principal();
    }

    private static String describeEnd(MarkerJudgement judged) {
        return switch (judged.status()) {
            case ABSENT -> "the marker file was removed";
            case UNREADABLE -> "the marker file became unreadable: " + judged.detail();
            case IGNORED -> judged.detail();
            default -> judged.status().name();
        };
    }

    private static boolean sameJudgement(MarkerJudgement a, MarkerJudgement b) {
        return a.status() == b.status() && a.ignoredReason() == b.ignoredReason()
                && Objects.equals(a.marker(), b.marker()) && a.detail().equals(b.detail());
    }

    private void logJudgementOnce(MarkerJudgement judged) {
        if (judged.status() == lastLoggedJudgement.status()
                && judged.ignoredReason() == lastLoggedJudgement.ignoredReason()
                && judged.detail().equals(lastLoggedJudgement.detail())) {
            return;
        }
        lastLoggedJudgement = judged;
        switch (judged.status()) {
            case IGNORED -> Log.warnf("Drain marker %s ignored (%s): %s", store.path(), judged.ignoredReason(),
                    judged.detail());
            case UNREADABLE -> Log.warnf("Drain marker %s unreadable, treated as absent: %s", store.path(),
                    judged.detail());
            case UNPARSEABLE_ACTIVE -> Log.warnf("Drain marker %s: %s", store.path(), judged.detail());
            case ACTIVE -> Log.infof("Drain marker %s active", store.path());
            case ABSENT -> Log.infof("No drain marker at %s", store.path());
        }
    }

    /** Re-reads the marker just after a lease runs out, so expiry does not wait for the tick. */
    private void scheduleLeaseCheck(Instant leaseExpiresAt) {
        if (leaseExpiresAt == null || leaseTimer.isShutdown()) {
            return;
        }
        if (leaseCheck != null) {
            leaseCheck.cancel(false);
        }
        long delayMs = Math.max(0, Duration.between(clock.instant(), leaseExpiresAt).toMillis()) + 5;
        try {
            leaseCheck = leaseTimer.schedule(() -> reconcile("lease"), delayMs, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // Shutting down: the lease no longer matters.
        }
    }

    private static ScheduledThreadPoolExecutor newLeaseTimer() {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread thread = new Thread(r, "quiesce-lease-timer");
            thread.setDaemon(true);
            return thread;
        });
        timer.setRemoveOnCancelPolicy(true);
        return timer;
    }

    /** Lease checks waiting on the timer: at most one while the gateway runs. For tests and diagnostics. */
    int pendingLeaseChecks() {
        return leaseTimer.getQueue().size();
    }

    private DrainSnapshot bumpLocked() {
        return bumpLocked(clock.instant());
    }

    private DrainSnapshot bumpLocked(Instant at) {
        version++;
        DrainSnapshot snapshot = snapshotLocked(at);
        latest = snapshot;
        return snapshot;
    }

    private DrainSnapshot snapshotLocked(Instant at) {
        // List.copyOf: one immutable copy, which DrainSnapshot keeps as it is (an ArrayList here was
        // copied twice on every turn start and end).
        return new DrainSnapshot(phase, drain, List.copyOf(turns.values()), marker, store.path().toString(),
                judge.currentEpoch(), version, at);
    }

    private void publish(DrainSnapshot snapshot) {
        if (snapshot == null) {
            return;
        }
        synchronized (publishLock) {
            if (snapshot.version() <= lastPublished) {
                return; // a newer version has already been delivered; it contains this change
            }
            lastPublished = snapshot.version();
            for (DrainListener listener : listeners) {
                try {
                    listener.onChange(snapshot);
                } catch (RuntimeException e) {
                    Log.errorf(e, "Drain listener %s failed on version %d", listener.getClass().getName(),
                            snapshot.version());
                }
            }
        }
    }

    private void emit(DrainEvent event) {
        for (DrainListener listener : listeners) {
            try {
                listener.onEvent(event);
            } catch (RuntimeException e) {
                Log.errorf(e, "Drain listener %s failed on event %s", listener.getClass().getName(), event.kind());
            }
        }
    }

    /** Marker timestamps carry microseconds; in-memory ones match so a re-read equals what was written. */
    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    private static String newDrainId() {
        return "d-" + randomHex(8);
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    private static String randomHex(int bytes) {
        byte[] buffer = new byte[bytes];
        RANDOM.nextBytes(buffer);
        return HexFormat.of().formatHex(buffer);
    }
}
