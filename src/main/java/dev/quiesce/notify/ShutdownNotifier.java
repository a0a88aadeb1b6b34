package dev.quiesce.notify;

import dev.quiesce.config.QuiesceConfig;
import dev.quiesce.home.IsoTimes;
import dev.quiesce.home.QuiesceHome;
import dev.quiesce.marker.MarkerJudgement;
import dev.quiesce.notify.Notification.Kind;
import dev.quiesce.notify.NotifyReport.HomeBroadcast;
import dev.quiesce.pipeline.TurnInfo;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The notifications of a shutdown (SPEC §7): one resume-hint ping per interrupted turn to that
 * turn's channel, and the "gateway shutting down" broadcast to the home channel.
 *
 * <p><b>Per-session pings are never suppressed.</b> They carry the one thing a user needs after a
 * forced interrupt — that the task was cut off and how to resume. A turn without a channel gets no
 * ping; it is counted as failed and logged.
 *
 * <p><b>The home broadcast</b> is, in this order: {@code NO_CHANNEL} when
 * {@code quiesce.notify.home-channel} is unset; {@code SUPPRESSED} when the marker judgement
 * {@link MarkerJudgement#suppressesNotification() suppresses notification} (only an ACTIVE,
 * current-epoch, unexpired marker with a literal {@code true}; stale, expired, corrupt and absent
 * markers never do); {@code DEDUPLICATED} when one was delivered to the same channel less than
 * {@code quiesce.notify.home-min-interval} ago, as remembered in {@code <home>/.home_broadcast.json}
 * across restarts; otherwise it is sent: {@code SENT} or {@code FAILED}. The time is recorded only
 * after a delivery. Every doubt (an unreadable or corrupt record, a recorded time in the future, a
 * different channel) means "not sent recently": notification fails toward the louder side.
 *
 * <p><b>Time.</b> All notifications are sent concurrently (at most {@value #MAX_CONCURRENT_SENDS} at
 * once) so many sessions fit in the budget; the sink gives up by the deadline, and this class
 * returns at the latest {@link #COLLECT_GRACE} after it, counting anything unfinished as failed.
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

    /** The home-channel broadcast. */
    public static final String HOME_SHUTDOWN_TEXT =
            "The gateway is shutting down. It will take messages again once it is back up.";

    /** The most notifications in flight at once. */
    static final int MAX_CONCURRENT_SENDS = 16;

    /** How long past the deadline results are still collected (the sink gives up at the deadline). */
    static final Duration COLLECT_GRACE = Duration.ofMillis(200);

    private final NotificationSink sink;
    private final HomeBroadcastLedger ledger;
    private final String homeChannel;
    private final Duration homeMinInterval;
    private final Duration budget;
    private final Clock clock;
    private final MeterRegistry registry;

    @Inject
    public ShutdownNotifier(
            QuiesceHome home, QuiesceConfig config, Clock clock, NotificationSink sink, MeterRegistry registry) {
        this(sink, home.path(), config.notifications().homeChannel(), config.notifications().homeMinInterval(),
                config.notifications().budget(), clock, registry);
    }

    /**
     * @param sink where notifications go
     * @param home the Quiesce home, where the last broadcast's time is remembered
     * @param homeChannel the home channel; empty or blank = none
     * @param homeMinInterval at most one home broadcast per this interval
     * @param budget the time allowed when a caller passes no deadline
     * @param clock the wall clock
     * @param registry where the counters go
     */
    public ShutdownNotifier(NotificationSink sink, Path home, Optional<String> homeChannel, Duration homeMinInterval,
            Duration budget, Clock clock, MeterRegistry registry) {
        this.sink = sink;
        this.ledger = new HomeBroadcastLedger(home);
        this.homeChannel = homeChannel.map(String::strip).orElse("");
        this.homeMinInterval = homeMinInterval;
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
    public synchronized NotifyReport notifyShutdown(
            List<TurnInfo> interrupted, MarkerJudgement marker, Instant deadline) {
        List<TurnInfo> turns = interrupted == null ? List.of() : interrupted;
        try {
            Instant effectiveDeadline = deadline != null ? deadline : clock.instant().plus(budget);
            NotifyReport report = notifyBy(turns, marker, effectiveDeadline);
            Log.infof("Shutdown notifications: %d session ping(s) sent, %d failed; home broadcast %s (%s)",
                    report.sessionPingsSent(), report.sessionPingsFailed(), report.home(), report.homeDetail());
            return report;
        } catch (RuntimeException e) {
            Log.errorf(e, "Shutdown notifications failed");
            return new NotifyReport(0, turns.size(), HomeBroadcast.FAILED,
                    "the notifier failed: " + e.getClass().getSimpleName());
        }
    }

    private NotifyReport notifyBy(List<TurnInfo> turns, MarkerJudgement marker, Instant deadline) {
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
            outgoing.add(new Notification(Kind.SESSION_INTERRUPTED, channel, turn.sessionId(), RESUME_HINT));
        }
        int pings = outgoing.size();
        HomeDecision decision = decideHome(marker);
        if (decision.send()) {
            outgoing.add(new Notification(Kind.HOME_SHUTDOWN, homeChannel, "", HOME_SHUTDOWN_TEXT));
        }

        List<Boolean> delivered = sendAll(outgoing, deadline);

        int sent = 0;
        for (int i = 0; i < pings; i++) {
            boolean ok = delivered.get(i);
            sent += ok ? 1 : 0;
            count(Kind.SESSION_INTERRUPTED, ok ? "sent" : "failed");
        }
        HomeBroadcast home = decision.outcome();
        String detail = decision.detail();
        if (decision.send()) {
            if (delivered.get(pings)) {
                home = HomeBroadcast.SENT;
                detail = "sent to " + homeChannel;
                remember(clock.instant());
            } else {
                home = HomeBroadcast.FAILED;
                detail = "the sink could not deliver it to " + homeChannel + " before the deadline";
            }
        }
        count(Kind.HOME_SHUTDOWN, metricName(home));
        return new NotifyReport(sent, pings - sent + withoutChannel, home, detail);
    }

    /** Whether to send the home broadcast, or its final outcome when not. */
    private HomeDecision decideHome(MarkerJudgement marker) {
        if (homeChannel.isEmpty()) {
            return HomeDecision.skip(HomeBroadcast.NO_CHANNEL, "quiesce.notify.home-channel is not set");
        }
        if (marker != null && marker.suppressesNotification()) {
            String drainId = marker.marker().drainId();
            return HomeDecision.skip(HomeBroadcast.SUPPRESSED, "the active drain marker"
                    + (drainId == null || drainId.isEmpty() ? "" : " of drain " + drainId)
                    + " asks for quiet (suppress_notification=true)");
        }
        Instant now = clock.instant();
        HomeBroadcastLedger.Read last = ledger.read();
        if (last instanceof HomeBroadcastLedger.Read.Unusable unusable) {
            Log.warnf("The record of the last home broadcast cannot be trusted (%s): broadcasting",
                    unusable.problem());
        } else if (last instanceof HomeBroadcastLedger.Read.Sent previous) {
            if (previous.sentAt().isAfter(now)) {
                // A clock that went backwards must not silence broadcasts until it catches up.
                Log.warnf("The last home broadcast is recorded in the future (%s): broadcasting",
                        IsoTimes.format(previous.sentAt()));
            } else if (previous.channel().equals(homeChannel)
                    && Duration.between(previous.sentAt(), now).compareTo(homeMinInterval) < 0) {
                return HomeDecision.skip(HomeBroadcast.DEDUPLICATED, "one was sent to " + homeChannel + " at "
                        + IsoTimes.format(previous.sentAt()) + ", less than " + homeMinInterval + " ago");
            }
        }
        return HomeDecision.SEND;
    }

    /**
     * Sends all {@code notifications} concurrently and waits for them until {@code deadline} plus
     * {@link #COLLECT_GRACE}. Returns, in the same order, whether each was delivered; one not
     * finished by then (or whose sink broke its contract and threw) counts as not delivered.
     */
    private List<Boolean> sendAll(List<Notification> notifications, Instant deadline) {
        if (notifications.isEmpty()) {
            return List.of();
        }
        // Measured on the monotonic clock from here on, whatever the wall clock does.
        Duration untilDeadline = Duration.between(clock.instant(), deadline);
        long giveUpAt = System.nanoTime() + Math.max(0, untilDeadline.toNanos()) + COLLECT_GRACE.toNanos();
        AtomicInteger threadNumber = new AtomicInteger();
        ExecutorService senders = Executors.newFixedThreadPool(
                Math.min(MAX_CONCURRENT_SENDS, notifications.size()), task -> {
                    Thread thread = new Thread(task, "quiesce-notify-" + threadNumber.incrementAndGet());
                    thread.setDaemon(true); // a sink that overstays must not hold up the exit
                    return thread;
                });
        try {
            List<Future<Boolean>> pending = new ArrayList<>();
            for (Notification notification : notifications) {
                pending.add(senders.submit(() -> sink.send(notification, deadline)));
            }
            List<Boolean> delivered = new ArrayList<>();
            for (int i = 0; i < pending.size(); i++) {
                delivered.add(await(pending.get(i), giveUpAt, notifications.get(i)));
            }
            return delivered;
        } finally {
            senders.shutdownNow();
        }
    }

    private static boolean await(Future<Boolean> result, long giveUpAt, Notification notification) {
        try {
            return Boolean.TRUE.equals(result.get(Math.max(0, giveUpAt - System.nanoTime()), TimeUnit.NANOSECONDS));
        } catch (TimeoutException e) {
            result.cancel(true);
            Log.warnf("The %s notification to channel '%s' did not finish by the deadline",
                    notification.kind().wireName(), notification.channel());
            return false;
        } catch (ExecutionException e) {
            Log.warnf(e.getCause(), "The sink failed on the %s notification to channel '%s'",
                    notification.kind().wireName(), notification.channel());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            result.cancel(true);
            return false;
        }
    }

    private void remember(Instant sentAt) {
        try {
            ledger.record(homeChannel, sentAt);
        } catch (IOException | RuntimeException e) {
            Log.warnf("Could not record the home broadcast in %s (%s): the next shutdown may broadcast again",
                    ledger.path(), e.getMessage());
        }
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

    /**
     * Whether to send the home broadcast.
     *
     * @param send true: send it; the outcome is decided by the delivery
     * @param outcome when not sent, why
     * @param detail a sentence for the report
     */
    private record HomeDecision(boolean send, HomeBroadcast outcome, String detail) {
        static final HomeDecision SEND = new HomeDecision(true, null, "");

        static HomeDecision skip(HomeBroadcast outcome, String detail) {
            return new HomeDecision(false, outcome, detail);
        }
    }
}
