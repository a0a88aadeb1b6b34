package dev.quiesce.lifecycle;

import dev.quiesce.config.Durations;
import dev.quiesce.config.QuiesceConfig;
import dev.quiesce.drain.DrainAuditLog;
import dev.quiesce.drain.DrainSnapshot;
import dev.quiesce.drain.DrainStateBean;
import dev.quiesce.drain.StatusFileWriter;
import dev.quiesce.inbox.Inbox;
import dev.quiesce.inbox.ResumeRecord;
import dev.quiesce.marker.MarkerJudgement;
import dev.quiesce.notify.NotifyReport;
import dev.quiesce.notify.ShutdownNotifier;
import dev.quiesce.pipeline.InFlightTurns;
import dev.quiesce.pipeline.MessagePipeline;
import dev.quiesce.pipeline.TurnInfo;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What happens on SIGTERM (SPEC §7), in order:
 * <ol>
 *   <li>phase STOPPING: readiness DOWN, gRPC health NOT_SERVING, the gate closed to every turn,
 *       Begin/Cancel refused; a message with a channel that arrives from now on is kept in the inbox
 *       (SPEC §9, §10);
 *   <li>record every running user turn with a channel as a {@code resume} entry in the inbox, in one
 *       transaction (SPEC §10), before the wait: a SIGKILL during the wait leaves it on disk; a turn that
 *       ends with an answer removes its entry again;
 *   <li>wait up to {@code quiesce.shutdown.drain-timeout} for running turns to finish;
 *   <li>interrupt the rest: each caller gets INTERRUPTED with the resume hint — "it will pick up again
 *       by itself" for a turn the inbox keeps, "message me again" for one it could not;
 *   <li>notify: a ping per interrupted session (never suppressed), then the home broadcast unless
 *       an active marker suppresses it or one was sent recently — within {@code quiesce.notify.budget};
 *   <li>an audit summary; the inbox closes (from then on a message is refused); phase STOPPED, and the
 *       status file's {@code stopped} as the last write.
 * </ol>
 *
 * <p>Runs in Quarkus' shutdown-delay phase ({@code quarkus.shutdown.delay-enabled=true}), which
 * fires while the port still serves: callers of interrupted turns receive their replies, new calls
 * get REFUSED_STOPPING from the application itself, and probes see readiness DOWN. Quarkus closes
 * the port only when this returns. Bounded: drain-timeout + 2 s + notify budget, and only with a slow
 * disk up to {@link Inbox#RESUME_RECORD_WAIT} + {@link DrainStateBean#CONTROL_CALL_WAIT} + {@link
 * Inbox#CLOSE_WAIT} (2 s each) more.
 */
@ApplicationScoped
public class ShutdownSequence {

    /** How long interrupted callers get to receive their INTERRUPTED replies before notifying. */
    static final Duration INTERRUPT_FLUSH = Duration.ofSeconds(2);

    private final DrainStateBean state;
    private final MessagePipeline pipeline;
    private final Inbox inbox;
    private final ShutdownNotifier notifier;
    private final StatusFileWriter statusFile;
    private final DrainAuditLog audit;
    private final Clock clock;
    private final Duration drainTimeout;
    private final Duration notifyBudget;
    private final Counter forcedInterrupts;

    @Inject
    public ShutdownSequence(DrainStateBean state, MessagePipeline pipeline, Inbox inbox, ShutdownNotifier notifier,
            StatusFileWriter statusFile, DrainAuditLog audit, Clock clock, QuiesceConfig config,
            MeterRegistry registry) {
        this(state, pipeline, inbox, notifier, statusFile, audit, clock, config.shutdown().drainTimeout(),
                config.notifications().budget(), registry);
    }

    /** For plain tests: the settings as values; {@code inbox} null for a gateway without one. */
    public ShutdownSequence(DrainStateBean state, MessagePipeline pipeline, Inbox inbox, ShutdownNotifier notifier,
            StatusFileWriter statusFile, DrainAuditLog audit, Clock clock, Duration drainTimeout,
            Duration notifyBudget, MeterRegistry registry) {
        this.state = state;
        this.pipeline = pipeline;
        this.inbox = inbox;
        this.notifier = notifier;
        this.statusFile = statusFile;
        this.audit = audit;
        this.clock = clock;
        this.drainTimeout = drainTimeout;
        this.notifyBudget = notifyBudget;
        this.forcedInterrupts = Counter.builder("quiesce_forced_interrupts_total")
                .description("Turns cut off by a shutdown after the drain timeout")
                .register(registry);
    }

    void onShutdown(@Observes ShutdownDelayInitiatedEvent event) {
        run();
    }

    /** Runs the sequence once; a second call finds the phase STOPPING/STOPPED and only logs. Never throws. */
    public void run() {
        Instant start = clock.instant();
        try {
            if (state.current().phase().isShuttingDown()) {
                Log.infof("Shutdown sequence already ran (phase %s)", state.current().phase());
                return;
            }
            DrainSnapshot stopping = state.enterStopping();
            int runningAtStart = stopping.inFlightCount();
            Log.infof("Shutting down: %d turn(s) running; waiting up to %s for them", runningAtStart,
                    Durations.readable(drainTimeout));
            // No turn starts in STOPPING: these are all the turns the wait can end or the interrupt cut off.
            List<InFlightTurns.Running> running = pipeline.running();
            ResumeRecord resumes = inbox == null ? ResumeRecord.NONE : inbox.recordResumes(running);
            Set<String> replays = replays(running);
            Function<TurnInfo, String> hint = turn -> resumes.recorded(turn) || replays.contains(turn.turnId())
                    ? ShutdownNotifier.RESUMES_BY_ITSELF_HINT : ShutdownNotifier.RESUME_HINT;
            List<TurnInfo> interrupted = List.of();
            if (!state.awaitIdle(drainTimeout)) {
                interrupted = pipeline.interruptAll(hint);
                forcedInterrupts.increment(interrupted.size());
                Log.warnf("Drain timeout %s passed: interrupted %d turn(s)", Durations.readable(drainTimeout),
                        interrupted.size());
                state.awaitIdle(INTERRUPT_FLUSH);
            }
            // The marker as it stands at exit, not at SIGTERM, once a control call still changing it has
            // been refused and undone: its suppression follows what the callers were told.
            MarkerJudgement marker = state.markerAtExit(DrainStateBean.CONTROL_CALL_WAIT);
            NotifyReport report = notifier.notifyShutdown(interrupted, hint, marker, clock.instant().plus(notifyBudget));
            Instant end = clock.instant();
            audit.recordShutdown(new DrainAuditLog.ShutdownSummary(runningAtStart, interrupted.size(),
                    report.sessionPingsSent(), report.sessionPingsFailed(), report.home().name().toLowerCase(Locale.ROOT),
                    report.homeDetail(), Duration.between(start, end), end));
            Log.infof("Shutdown: %d turn(s) finished, %d interrupted; home broadcast %s (%s); %d ms",
                    runningAtStart - interrupted.size(), interrupted.size(), report.home(), report.homeDetail(),
                    Duration.between(start, clock.instant()).toMillis());
        } catch (RuntimeException e) {
            Log.errorf(e, "Shutdown sequence failed; stopping anyway");
        } finally {
            if (inbox != null) {
                inbox.close(); // the last step before stopped: until here, arriving messages were kept
            }
            statusFile.writeNow(state.markStopped());
        }
    }

    /**
     * The ids of the turns that run a saved message: its entry stays in the inbox when it is cut off, and
     * it runs again by itself (SPEC §9), whether or not resumption is on.
     */
    private static Set<String> replays(List<InFlightTurns.Running> running) {
        return running.stream().filter(r -> r.control().request() != null && r.control().request().replay())
                .map(r -> r.turn().turnId()).collect(Collectors.toUnmodifiableSet());
    }
}
