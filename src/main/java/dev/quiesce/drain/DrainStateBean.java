package dev.quiesce.drain;

import dev.quiesce.config.QuiesceConfig;
import dev.quiesce.marker.DrainMarkerStore;
import dev.quiesce.marker.IgnoredReason;
import dev.quiesce.marker.MarkerJudge;
import dev.quiesce.marker.MarkerJudgement;
import dev.quiesce.marker.MarkerStatus;
import dev.quiesce.pipeline.AcceptGate;
import dev.quiesce.pipeline.Admission;
import dev.quiesce.pipeline.InFlightTurns;
import dev.quiesce.pipeline.TurnControl;
import dev.quiesce.pipeline.TurnInfo;
import io.quarkus.arc.ClientProxy;
import io.quarkus.logging.Log;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The one place that decides the gateway's phase (SPEC §3), and so the {@link AcceptGate}: the gate
 * check, the registration in flight and a phase change are one atomic step ({@link PhaseState}).
 *
 * <p>Inputs: BeginDrain/CancelDrain, marker reconciles (watch, tick, {@link LeaseTimer}), turn admission
 * and release, shutdown. Outputs: an immutable {@link DrainSnapshot} per version and the audited
 * {@link DrainEvent}s, handed to every {@link DrainListener} after the locks are released.
 *
 * <p>Two locks, each documented on its field: {@link MarkerControl}'s control lock serialises what
 * touches the marker file and is held across its I/O; {@link PhaseState}'s lock guards the state and
 * the gate and is never held across I/O, so admission never waits for an fsync.
 *
 * <p><b>Shutdown wins.</b> {@link PhaseState#update} lets nothing leave STOPPING/STOPPED. A control
 * call whose file operation completes after STOPPING began is refused (SHUTTING_DOWN) and puts the
 * marker back as it was, so the file, memory and what the caller was told agree; {@link #markerAtExit}
 * reads the marker once that is done. Thread-safe.
 */
@ApplicationScoped
@Startup
public class DrainStateBean implements AcceptGate {

    /** How long a shutdown waits for a control call still changing the marker ({@link #markerAtExit}). */
    public static final Duration CONTROL_CALL_WAIT = Duration.ofSeconds(2);

    private final MarkerJudge judge;
    private final DrainRules rules;
    private final LeaseTimer leaseTimer;
    private final JudgementLog judgementLog;
    /** Filled once, by the constructor or {@link #start()}, before the first change is published. */
    private final List<DrainListener> listeners = new ArrayList<>();
    private final ListenerFanOut fanOut = new ListenerFanOut(listeners);
    private final Clock clock;
    private final PhaseState state;
    private final MarkerControl control;
    private final Reconciler reconciler;
    private Instance<DrainListener> listenerBeans;

    @Inject
    public DrainStateBean(QuiesceConfig config, DrainMarkerStore store, MarkerJudge judge, Clock clock,
            @Any Instance<DrainListener> listenerBeans) {
        this(store, judge, clock, config.drain().defaultLease(), config.drain().maxLease(), List.of());
        this.listenerBeans = listenerBeans;
    }

    /** For plain unit tests: explicit settings and listeners; call {@link #start()} yourself. */
    public DrainStateBean(DrainMarkerStore store, MarkerJudge judge, Clock clock, Duration defaultLease,
            Duration maxLease, List<DrainListener> listeners) {
        this.judge = judge;
        this.clock = clock;
        this.rules = new DrainRules(defaultLease, maxLease);
        this.leaseTimer = new LeaseTimer(clock, () -> reconcile("lease"));
        this.judgementLog = new JudgementLog(store.path());
        this.listeners.addAll(listeners);
        this.state = new PhaseState(clock, fanOut, store.path().toString(), judge.currentEpoch());
        this.control = new MarkerControl(store, state, judgementLog);
        this.reconciler = new Reconciler(store, judge, state, leaseTimer, judgementLog, fanOut, clock);
    }

    /**
     * Resolves the listener beans and performs the first reconcile, before any ingress is served: a
     * gateway restarted with an active same-epoch marker never admits a user turn.
     */
    @PostConstruct
    public void start() {
        if (listenerBeans != null) {
            // The beans themselves, not their client proxies: listeners run on every turn start and end.
            listenerBeans.forEach(listener -> listeners.add(ClientProxy.unwrap(listener)));
        }
        reconcile("startup");
    }

    @PreDestroy
    void close() {
        leaseTimer.stop();
    }

    /**
     * The snapshot of the newest version: lock-free when it was made already; after turns started or
     * ended (which make versions but no snapshots) it is made now, O(turns in flight).
     */
    public DrainSnapshot current() {
        return state.current();
    }

    /** The phase now; O(1), unlike {@link #current()} after turns started or ended. */
    public Phase phase() {
        return state.phase();
    }

    /** How many turns run now; O(1). */
    public int inFlight() {
        return state.inFlight();
    }

    /**
     * Begins a drain, or renews the active one (same drain_id, lease renewed, reason and
     * suppress_notification updated). The marker is made durable first; the phase changes after,
     * before this returns, so no user turn starts once the caller has the reply.
     *
     * @throws DrainRefusedException INVALID_REQUEST, SHUTTING_DOWN or MARKER_UNAVAILABLE; nothing changed
     *     (the listeners are told of the refusal)
     */
    public DrainSnapshot beginDrain(BeginDrainCommand command) {
        return refusalsTold("BeginDrain", command.principal(), () -> begin(command));
    }

    private DrainSnapshot begin(BeginDrainCommand command) {
        String reason = rules.reason(command.reason());
        Duration lease = rules.lease(command.lease());
        return control.serialised(() -> {
            refuseWhenShuttingDown(state.current().phase(), "begin a drain");
            Instant now = now();
            ActiveDrain existing = state.current().drain();
            ActiveDrain next = existing == null
                    ? ActiveDrain.begun(command.principal(), reason, command.suppressNotification(), now, now.plus(lease))
                    : existing.renewed(reason, command.suppressNotification(), now.plus(lease));
            DrainSnapshot after = control.write(MarkerDrains.toMarker(next, judge.currentEpoch(), now), next, "BeginDrain",
                    "begin a drain", existing == null ? "the drain was not begun and nothing changed"
                            : "the drain " + existing.drainId() + " stays as it was (its lease still ends at "
                                    + existing.leaseExpiresAt() + ")");
            leaseTimer.schedule(next.leaseExpiresAt());
            fanOut.emit(new DrainEvent(existing == null ? DrainEvent.Kind.BEGIN : DrainEvent.Kind.RENEW,
                    command.principal(), reason, next.drainId(), after.inFlightCount(),
                    existing == null ? "began" : "renewed", "lease until " + next.leaseExpiresAt(), now));
            return after;
        });
    }

    /**
     * Cancels the active drain: the marker is removed first, then turns are admitted again. A no-op
     * success when no drain is active.
     *
     * @param drainId the drain to cancel; empty = whichever is active
     * @throws DrainRefusedException INVALID_REQUEST, SHUTTING_DOWN, WRONG_DRAIN_ID or MARKER_UNAVAILABLE
     *     (the drain stays on; the listeners are told of the refusal)
     */
    public DrainSnapshot cancelDrain(String principal, String drainId) {
        return refusalsTold("CancelDrain", principal, () -> cancel(principal, drainId));
    }

    private DrainSnapshot cancel(String principal, String drainId) {
        rules.drainId(drainId);
        return control.serialised(() -> {
            DrainSnapshot before = state.current();
            refuseWhenShuttingDown(before.phase(), "cancel a drain");
            ActiveDrain active = before.drain();
            if (active == null) {
                return before;
            }
            DrainRules.cancels(drainId, active);
            DrainSnapshot after = control.remove("CancelDrain", "cancel a drain", "the drain is still on");
            fanOut.emit(new DrainEvent(DrainEvent.Kind.CANCEL, principal, active.reason(), active.drainId(),
                    after.inFlightCount(), "cancelled", "", now()));
            return after;
        });
    }

    /**
     * Reads and judges the marker file and brings the phase in line with it ({@link MarkerDrains#reconciled}).
     * Never throws: a failure is logged once per cause and the next reconcile tries again.
     *
     * @param trigger what caused the reconcile, for the log
     */
    public void reconcile(String trigger) {
        control.serialised(() -> reconciler.reconcile(trigger));
    }

    /**
     * The marker as it stands once no control call is changing it, for the shutdown's suppression
     * decision: waits up to {@code wait} for a call in progress (refused by now, it puts the file
     * back), then reconciles. When a call still holds the file after {@code wait} (a stuck disk), the
     * answer is UNREADABLE, which never suppresses: a doubtful suppression notifies. Never throws.
     */
    public MarkerJudgement markerAtExit(Duration wait) {
        return control.serialisedWithin(wait, () -> {
            reconciler.reconcile("shutdown");
            return state.current().marker();
        }).orElseGet(() -> {
            String why = "a control call was still changing the marker file after " + wait.toMillis() + " ms";
            Log.warnf("Shutdown: %s; the home broadcast is not suppressed", why);
            return new MarkerJudgement(MarkerStatus.UNREADABLE, IgnoredReason.NONE, null, why);
        });
    }

    /**
     * Enters STOPPING: readiness goes DOWN and the gate closes to every turn. One-way; a second call is
     * ignored with a log line. Does not wait for a control call in progress: if its file operation
     * completes after this, it is refused and undone.
     */
    public DrainSnapshot enterStopping() {
        AtomicReference<ActiveDrain> during = new AtomicReference<>();
        DrainSnapshot after = state.update(core -> {
            during.set(core.drain());
            return core.phase().isShuttingDown() ? core : new PhaseState.Core(Phase.STOPPING, core.drain(), core.marker());
        });
        if (after == null) {
            Log.infof("Already %s; enterStopping ignored", state.current().phase());
            return state.current();
        }
        leaseTimer.stop();
        ActiveDrain drain = during.get();
        fanOut.emit(DrainEvent.shutdown(drain, after.inFlightCount(), now()));
        return after;
    }

    /** STOPPING → STOPPED, the last state change. No-op in any other phase. */
    public DrainSnapshot markStopped() {
        state.update(core -> core.phase() == Phase.STOPPING
                ? new PhaseState.Core(Phase.STOPPED, core.drain(), core.marker()) : core);
        return state.current();
    }

    /** The inbox reports what it holds; a change is a new version of the state. */
    public void inboxChanged(InboxSummary summary) {
        state.updateInbox(summary);
    }

    @Override
    public Admission tryAdmit(String sessionId, String channel, boolean internal,
            Function<TurnInfo, ? extends TurnControl> control) {
        return state.tryAdmit(sessionId, channel, internal, control);
    }

    @Override
    public Admission.Refused pausedFor(boolean internal) {
        return state.pausedFor(internal);
    }

    @Override
    public boolean release(TurnInfo turn) {
        return state.release(turn);
    }

    @Override
    public List<InFlightTurns.Running> running() {
        return state.running();
    }

    @Override
    public long pause() {
        return state.pauses();
    }

    /**
     * Waits until no turn is running, or the timeout passes.
     *
     * @return true if no turn is running
     */
    public boolean awaitIdle(Duration timeout) {
        return state.awaitIdle(timeout);
    }

    /** Lease checks waiting on the timer: at most one while the gateway runs. For tests. */
    int pendingLeaseChecks() {
        return leaseTimer.pending();
    }

    /** Runs {@code transition}; a refusal is told to the listeners (the audit log), here once for both APIs. */
    private DrainSnapshot refusalsTold(String call, String principal, Supplier<DrainSnapshot> transition) {
        try {
            return transition.get();
        } catch (DrainRefusedException e) {
            fanOut.refused(DrainRefusal.of(principal, call, e));
            throw e;
        }
    }

    private static void refuseWhenShuttingDown(Phase phase, String action) {
        if (phase.isShuttingDown()) {
            throw DrainRefusedException.shuttingDown(phase, action);
        }
    }

    /** Marker timestamps carry microseconds; in-memory ones match so a re-read equals what was written. */
    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }
}
