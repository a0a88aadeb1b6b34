package dev.quiesce.notify;

import dev.quiesce.config.QuiesceConfig;
import dev.quiesce.home.IsoTimes;
import dev.quiesce.home.QuiesceHome;
import dev.quiesce.marker.MarkerJudgement;
import dev.quiesce.notify.NotifyReport.HomeBroadcast;
import io.quarkus.logging.Log;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Whether a shutdown broadcasts "gateway shutting down" to the home channel (SPEC §7), and the
 * memory of the last delivery that lets a gateway in a restart loop broadcast once.
 *
 * <p>{@link #decide} answers, in this order: {@code NO_CHANNEL} when
 * {@code quiesce.notify.home-channel} is unset or blank; {@code SUPPRESSED} when the marker
 * judgement {@link MarkerJudgement#suppressesNotification() suppresses notification} (only an
 * ACTIVE, current-epoch, unexpired marker with a literal {@code true}; stale, expired, corrupt and
 * absent markers never do); {@code DEDUPLICATED} when one was delivered to the same channel less
 * than {@code quiesce.notify.home-min-interval} ago, as the {@link HomeBroadcastLedger} remembers in
 * {@code <home>/.home_broadcast.json} across restarts; otherwise send. {@link #afterSend} then
 * turns the delivery into {@code SENT} or {@code FAILED}, recording the time only after a delivery.
 *
 * <p><b>Fails toward the louder side.</b> Every doubt (an unreadable or corrupt record, a recorded
 * time in the future, a different channel) means "not sent recently", so it broadcasts; a record
 * that cannot be written is logged, and the next shutdown may broadcast again. Neither method
 * throws.
 *
 * <p>Thread-safe: it holds no mutable state (the ledger's file is replaced atomically). A
 * {@code decide}…{@code afterSend} pair is not atomic against another pair; {@link ShutdownNotifier}
 * serialises shutdowns, so two cannot both broadcast.
 */
@Singleton
final class HomeBroadcastPolicy {

    private final HomeBroadcastLedger ledger;
    private final String channel;
    private final Duration minInterval;
    private final Clock clock;

    @Inject
    HomeBroadcastPolicy(QuiesceHome home, QuiesceConfig config, Clock clock) {
        this(home.path(), config.notifications().homeChannel(), config.notifications().homeMinInterval(), clock);
    }

    /**
     * @param home the Quiesce home, where the last delivery's time is remembered
     * @param channel the home channel; empty or blank = none
     * @param minInterval at most one broadcast per this interval
     * @param clock the wall clock
     */
    HomeBroadcastPolicy(Path home, Optional<String> channel, Duration minInterval, Clock clock) {
        this.ledger = new HomeBroadcastLedger(home);
        this.channel = channel.map(String::strip).orElse("");
        this.minInterval = minInterval;
        this.clock = clock;
    }

    /** What {@link #decide} says. */
    sealed interface Decision {

        /** Send the broadcast to {@code channel}; its fate is the delivery's ({@link #afterSend}). */
        record Send(String channel) implements Decision {}

        /** Do not send it; {@code outcome} is final. */
        record Skip(Outcome outcome) implements Decision {}
    }

    /**
     * The fate of the broadcast, for the report and the metric.
     *
     * @param result what happened
     * @param detail why, in a sentence
     */
    record Outcome(HomeBroadcast result, String detail) {}

    /**
     * Whether to broadcast at this shutdown. Never throws.
     *
     * @param marker how the drain marker was judged at shutdown ({@code null} = not suppressing)
     */
    Decision decide(MarkerJudgement marker) {
        if (channel.isEmpty()) {
            return skip(HomeBroadcast.NO_CHANNEL, "quiesce.notify.home-channel is not set");
        }
        if (marker != null && marker.suppressesNotification()) {
            String drainId = marker.marker().drainId();
            return skip(HomeBroadcast.SUPPRESSED, "the active drain marker"
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
            } else if (previous.channel().equals(channel)
                    && Duration.between(previous.sentAt(), now).compareTo(minInterval) < 0) {
                return skip(HomeBroadcast.DEDUPLICATED, "one was sent to " + channel + " at "
                        + IsoTimes.format(previous.sentAt()) + ", less than " + minInterval + " ago");
            }
        }
        return new Decision.Send(channel);
    }

    /**
     * The fate of a broadcast {@link #decide} said to send: {@code SENT} when it was delivered, whose
     * time is then recorded, else {@code FAILED}, which leaves the record as it was (so the next
     * shutdown tries again) and says what stopped it, e.g. {@code not delivered to #ops: 3 attempts
     * failed: could not connect (connection refused)} — "before the deadline" only when the deadline
     * did. Never throws: a record that cannot be written is logged.
     */
    Outcome afterSend(Decision.Send sent, Delivery delivery) {
        if (!delivery.delivered()) {
            return new Outcome(HomeBroadcast.FAILED, delivery.describe("to " + sent.channel()));
        }
        try {
            ledger.record(sent.channel(), clock.instant());
        } catch (IOException | RuntimeException e) {
            Log.warnf("Could not record the home broadcast in %s (%s): the next shutdown may broadcast again",
                    ledger.path(), e.getMessage());
        }
        return new Outcome(HomeBroadcast.SENT, "sent to " + sent.channel());
    }

    private static Decision skip(HomeBroadcast result, String detail) {
        return new Decision.Skip(new Outcome(result, detail));
    }
}
