package dev.quiesce.lifecycle;

import dev.quiesce.config.Durations;
import dev.quiesce.config.QuiesceConfig;
import dev.quiesce.drain.DrainAuditLog;
import dev.quiesce.drain.DrainSnapshot;
import dev.quiesce.drain.DrainStateBean;
import dev.quiesce.drain.StatusFileWriter;
import dev.quiesce.marker.MarkerJudgement;
import dev.quiesce.notify.NotifyReport;
import dev.quiesce.notify.ShutdownNotifier;
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

/**
 * What happens on SIGTERM (SPEC §7), in order:
 * <ol>
 *   <li>phase STOPPING: readiness DOWN, gRPC health NOT_SERVING, the gate closed to every turn,
 *       Begin/Cancel refused;
 *   <li>wait up to {@code quiesce.shutdown.drain-timeout} for running turns to finish;
 *   <li>interrupt the rest: each caller gets INTERRUPTED with the resume hint;
 *   <li>notify: a ping per interrupted session (never suppressed), then the home broadcast unless
 *       an active marker suppresses it or one was sent recently — within {@code quiesce.notify.budget};
 *   <li>an audit summary, phase STOPPED, and the status file's {@code stopped} as the last write.
 * </ol>
 *
 * <p>Runs in Quarkus' shutdown-delay phase ({@code quarkus.shutdown.delay-enabled=true}), which
 * fires while the port still serves: callers of interrupted turns receive their replies, new calls
 * get REFUSED_STOPPING from the application itself, and probes see readiness DOWN. Quarkus closes
 * the port only when this returns. Bounded: drain-timeout + 2 s + notify budget, and 2 s more
 * ({@link DrainStateBean#CONTROL_CALL_WAIT}) only when a control call is stuck on a slow disk.
 */
@ApplicationScoped
public class ShutdownSequence {

    /** How long interrupted callers get to receive their INTERRUPTED replies before notifying. */
    static final Duration INTERRUPT_FLUSH = Duration.ofSeconds(2);

    private final DrainStateBean state;
    private final MessagePipeline pipeline;
    private final ShutdownNotifier notifier;
    private final StatusFileWriter statusFile;
    private final DrainAuditLog audit;
    private final Clock clock;
    private final Duration drainTimeout;
    private final Duration notifyBudget;
    private final Counter forcedInterrupts;

    @Inject
    public ShutdownSequence(DrainStateBean state, MessagePipeline pipeline, ShutdownNotifier notifier,
            StatusFileWriter statusFile, DrainAuditLog audit, Clock clock, QuiesceConfig config,
            MeterRegistry registry) {
        this(state, pipeline, notifier, statusFile, audit, clock, config.shutdown().drainTimeout(),
                config.notifications().budget(), registry);
    }

    /** For plain tests: the settings as values. */
    public ShutdownSequence(DrainStateBean state, MessagePipeline pipeline, ShutdownNotifier notifier,
            StatusFileWriter statusFile, DrainAuditLog audit, Clock clock, Duration drainTimeout,
            Duration notifyBudget, MeterRegistry registry) {
        this.state = state;
        this.pipeline = pipeline;
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
            List<TurnInfo> interrupted = List.of();
            if (!state.awaitIdle(drainTimeout)) {
                interrupted = pipeline.interruptAll(ShutdownNotifier.RESUME_HINT);
                forcedInterrupts.increment(interrupted.size());
                Log.warnf("Drain timeout %s passed: interrupted %d turn(s)", Durations.readable(drainTimeout),
                        interrupted.size());
                state.awaitIdle(INTERRUPT_FLUSH);
            }
            // The marker as it stands at exit, not at SIGTERM, once a control call still changing it has
            // been refused and undone: its suppression follows what the callers were told.
            MarkerJudgement marker = state.markerAtExit(DrainStateBean.CONTROL_CALL_WAIT);
            NotifyReport report = notifier.notifyShutdown(interrupted, marker, clock.instant().plus(notifyBudget));
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
            statusFile.writeNow(state.markStopped());
        }
    }
}
