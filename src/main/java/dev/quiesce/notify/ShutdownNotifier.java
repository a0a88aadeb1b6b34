package dev.quiesce.notify;

import dev.quiesce.config.QuiesceConfig;
import dev.quiesce.marker.MarkerJudgement;
import dev.quiesce.notify.HomeBroadcastPolicy.Decision;
import dev.quiesce.notify.HomeBroadcastPolicy.Outcome;
import dev.quiesce.notify.Notification.Kind;
import dev.quiesce.notify.NotifyReport.HomeBroadcast;
import dev.quiesce.pipeline.TurnInfo;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * The notifications of a shutdown (SPEC §7): one resume-hint ping per interrupted turn to that
 * turn's channel, and the "gateway shutting down" broadcast to the home channel. This class
 * composes them, sends them and counts them; whether to broadcast is the
 * {@link HomeBroadcastPolicy}'s decision, and the concurrent, deadline-bounded sending is
 * {@link DeadlineFanOut}'s.
 *
 * <p><b>Per-session pings are never suppressed.</b> They carry the one thing a user needs after a
 * forced interrupt — that the task was cut off and how to resume. A turn without a channel gets no
 * ping; it is counted as failed and logged.
 *
 * <p><b>The home broadcast</b> is {@code NO_CHANNEL}, {@code SUPPRESSED} (an active marker asks
 * for quiet), {@code DEDUPLICATED} (one was delivered recently), {@code SENT} or {@code FAILED}, as
 * {@link HomeBroadcastPolicy} describes; every doubt fails toward the louder side.
 *
 * <p><b>Time.</b> All notifications are sent concurrently (at most
 * {@value DeadlineFanOut#MAX_CONCURRENT_SENDS} at once); the sink gives up by the deadline, and
 * this class returns at the latest {@link DeadlineFanOut#COLLECT_GRACE} after it, counting anything
 * unfinished as failed.
 *
 * <p>Metrics: {@code quiesce_notifications_total{kind, result}}, kind {@code session_interrupted} or
 * {@code home_shutdown}, result {@code sent|failed|suppressed|deduplicated|no_channel} (a ping for
 * a turn without a channel counts as {@code no_channel}).
 *
 * <p>Thread-safe: calls are serialised, so overlapping shutdowns cannot both broadcast.
 */
@ApplicationScoped
public class ShutdownNotifier {

    /** The per-session ping: the task was cut off, and how to resume. */
    public static final String RESUME_HINT =
            "Your task was cut off because the assistant restarted. Message me again to resume.";

    /** The ping and the caller's answer for a cut-off turn the inbox keeps and runs again (SPEC §10). */
    public static final String RESUMES_BY_ITSELF_HINT =
            "Your task was cut off because the assistant restarted. It will pick up again by itself in a moment.";

    /** The home-channel broadcast. */
    public static final String HOME_SHUTDOWN_TEXT =
            "The gateway is shutting down. It will take messages again once it is back up.";

    private final HomeBroadcastPolicy homePolicy;
    private final DeadlineFanOut fanOut;
    private final Duration budget;
    private final Clock clock;
    private final MeterRegistry registry;

    @Inject
    ShutdownNotifier(QuiesceConfig config, Clock clock, NotificationSink sink, HomeBroadcastPolicy homePolicy,
            MeterRegistry registry) {
        this(sink, homePolicy, config.notifications().budget(), clock, registry);
    }

    /**
     * @param sink where notifications go
     * @param homePolicy whether to broadcast to the home channel
     * @param budget the time allowed when a caller passes no deadline
     * @param clock the wall clock
     * @param registry where the counters go
     */
    ShutdownNotifier(NotificationSink sink, HomeBroadcastPolicy homePolicy, Duration budget, Clock clock,
            MeterRegistry registry) {
        this.homePolicy = homePolicy;
        this.fanOut = new DeadlineFanOut(sink, clock);
        this.budget = budget;
        this.clock = clock;
        this.registry = registry;
        // Registered up front so dashboards see zeros rather than missing series.
        for (String result : List.of("sent", "failed", "no_channel")) {
            counter(Kind.SESSION_INTERRUPTED, result);
        }
        for (HomeBroadcast result : HomeBroadcast.values()) {
            counter(Kind.HOME_SHUTDOWN, metricName(result));
        }
    }

    /**
     * Sends the shutdown's notifications and reports what happened. Never throws: a failure of its
     * own is logged and reported as failed pings and a FAILED broadcast.
     *
     * @param interrupted the turns the shutdown interrupted; each gets a ping to its channel
     *     ({@code null} = none)
     * @param marker how the drain marker was judged at shutdown; only its
     *     {@link MarkerJudgement#suppressesNotification()} matters ({@code null} = not suppressing)
     * @param deadline when everything must be done ({@code null} = now + {@code quiesce.notify.budget})
     */
    public NotifyReport notifyShutdown(List<TurnInfo> interrupted, MarkerJudgement marker, Instant deadline) {
        return notifyShutdown(interrupted, turn -> RESUME_HINT, marker, deadline);
    }

    /**
     * Like {@link #notifyShutdown(List, MarkerJudgement, Instant)}, each ping with {@code hintFor} its turn
     * (the one its caller was answered with).
     */
    public synchronized NotifyReport notifyShutdown(List<TurnInfo> interrupted, Function<TurnInfo, String> hintFor,
            MarkerJudgement marker, Instant deadline) {
        List<TurnInfo> turns = interrupted == null ? List.of() : interrupted;
        try {
            Instant effectiveDeadline = deadline != null ? deadline : clock.instant().plus(budget);
            NotifyReport report = notifyBy(turns, hintFor, marker, effectiveDeadline);
            Log.infof("Shutdown notifications: %d session ping(s) sent, %d failed; home broadcast %s (%s)",
                    report.sessionPingsSent(), report.sessionPingsFailed(), report.home(), report.homeDetail());
            return report;
        } catch (RuntimeException e) {
            Log.errorf(e, "Shutdown notifications failed");
            return new NotifyReport(0, turns.size(), HomeBroadcast.FAILED,
                    "the notifier failed: " + e.getClass().getSimpleName());
        }
    }

    private NotifyReport notifyBy(List<TurnInfo> turns, Function<TurnInfo, String> hintFor, MarkerJudgement marker,
            Instant deadline) {
        List<Notification> outgoing = new ArrayList<>();
        int withoutChannel = 0;
        for (TurnInfo turn : turns) {
            if (turn == null) {
                continue;
            }
            String channel = turn.channel() == null ? "" : turn.channel().strip();
            if (channel.isEmpty()) {
                withoutChannel++;
                count(Kind.SESSION_INTERRUPTED, "no_channel");
                Log.warnf("Session '%s' was interrupted but has no channel: no resume hint was sent",
                        turn.sessionId());
                continue;
            }
            outgoing.add(new Notification(Kind.SESSION_INTERRUPTED, channel, turn.sessionId(), hintFor.apply(turn)));
        }
        int pings = outgoing.size();
        Decision decision = homePolicy.decide(marker);
        if (decision instanceof Decision.Send send) {
            outgoing.add(new Notification(Kind.HOME_SHUTDOWN, send.channel(), "", HOME_SHUTDOWN_TEXT));
        }

        List<Delivery> delivered = fanOut.sendAll(outgoing, deadline);

        int sent = 0;
        for (int i = 0; i < pings; i++) {
            boolean ok = delivered.get(i).delivered();
            sent += ok ? 1 : 0;
            count(Kind.SESSION_INTERRUPTED, ok ? "sent" : "failed");
        }
        Outcome home = decision instanceof Decision.Send send
                ? homePolicy.afterSend(send, delivered.get(pings))
                : ((Decision.Skip) decision).outcome();
        count(Kind.HOME_SHUTDOWN, metricName(home.result()));
        return new NotifyReport(sent, pings - sent + withoutChannel, home.result(), home.detail());
    }

    private void count(Kind kind, String result) {
        counter(kind, result).increment();
    }

    private Counter counter(Kind kind, String result) {
        return Counter.builder("quiesce_notifications_total")
                .description("Shutdown notifications by kind and result")
                .tag("kind", kind.wireName())
                .tag("result", result)
                .register(registry);
    }

    private static String metricName(HomeBroadcast outcome) {
        return outcome.name().toLowerCase(Locale.ROOT);
    }
}
