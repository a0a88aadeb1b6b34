package dev.quiesce.lifecycle;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quiesce.config.QuiesceConfig;
import dev.quiesce.drain.DrainAuditLog;
import dev.quiesce.drain.DrainSnapshot;
import dev.quiesce.drain.DrainStateBean;
import dev.quiesce.drain.StatusFileWriter;
import dev.quiesce.home.IsoTimes;
import dev.quiesce.marker.DrainMarkerStore;
import dev.quiesce.marker.MarkerJudge;
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
 * the port only when this returns. Bounded: drain-timeout + 2 s + notify budget.
 */
@ApplicationScoped
public class ShutdownSequence {

    /** How long interrupted callers get to receive their INTERRUPTED replies before notifying. */
    static final Duration INTERRUPT_FLUSH = Duration.ofSeconds(2);

    private static final ObjectMapper JSON = new ObjectMapper();

    private final DrainStateBean state;
    private final MessagePipeline pipeline;
    private final ShutdownNotifier notifier;
    private final DrainMarkerStore markers;
    private final MarkerJudge judge;
    private final StatusFileWriter statusFile;
    private final DrainAuditLog audit;
    private final Clock clock;
    private final Duration drainTimeout;
    private final Duration notifyBudget;
    private final Counter forcedInterrupts;

    @Inject
    public ShutdownSequence(DrainStateBean state, MessagePipeline pipeline, ShutdownNotifier notifier,
            DrainMarkerStore markers, MarkerJudge judge, StatusFileWriter statusFile, DrainAuditLog audit,
            Clock clock, QuiesceConfig config, MeterRegistry registry) {
        this.state = state;
        this.pipeline = pipeline;
        this.notifier = notifier;
        this.markers = markers;
        this.judge = judge;
        this.statusFile = statusFile;
        this.audit = audit;
        this.clock = clock;
        this.drainTimeout = config.shutdown().drainTimeout();
        this.notifyBudget = config.notifications().budget();
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
            Log.infof("Shutting down: %d turn(s) running; waiting up to %s for them", runningAtStart, drainTimeout);
            List<TurnInfo> interrupted = List.of();
            if (!state.awaitIdle(drainTimeout)) {
                interrupted = pipeline.interruptAll(ShutdownNotifier.RESUME_HINT);
                forcedInterrupts.increment(interrupted.size());
                Log.warnf("Drain timeout %s passed: interrupted %d turn(s)", drainTimeout, interrupted.size());
                state.awaitIdle(INTERRUPT_FLUSH);
            }
            // Read the marker now, not at SIGTERM: its suppression applies as it stands at exit.
            MarkerJudgement marker = judge.judge(markers.read(), clock.instant());
            NotifyReport report = notifier.notifyShutdown(interrupted, marker, clock.instant().plus(notifyBudget));
            audit.append(summary(start, runningAtStart, interrupted.size(), report));
            Log.infof("Shutdown: %d turn(s) finished, %d interrupted; home broadcast %s (%s); %d ms",
                    runningAtStart - interrupted.size(), interrupted.size(), report.home(), report.homeDetail(),
                    Duration.between(start, clock.instant()).toMillis());
        } catch (RuntimeException e) {
            Log.errorf(e, "Shutdown sequence failed; stopping anyway");
        } finally {
            statusFile.writeNow(state.markStopped());
        }
    }

    private ObjectNode summary(Instant start, int runningAtStart, int interrupted, NotifyReport report) {
        ObjectNode line = JSON.createObjectNode();
        Instant now = clock.instant();
        line.put("time", IsoTimes.format(now));
        line.put("event", "shutdown_summary");
        line.put("principal", "system");
        line.put("in_flight", runningAtStart);
        line.put("finished", runningAtStart - interrupted);
        line.put("interrupted", interrupted);
        line.put("session_pings_sent", report.sessionPingsSent());
        line.put("session_pings_failed", report.sessionPingsFailed());
        line.put("home_broadcast", report.home().name().toLowerCase());
        line.put("home_broadcast_detail", report.homeDetail());
        line.put("duration_ms", Duration.between(start, now).toMillis());
        line.put("outcome", "stopped");
        return line;
    }
}
