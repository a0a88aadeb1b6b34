package dev.quiesce.lifecycle;

import static dev.quiesce.testing.GrpcAuth.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quiesce.api.v1.BeginDrainRequest;
import dev.quiesce.api.v1.CancelDrainRequest;
import dev.quiesce.api.v1.DrainControlGrpc;
import dev.quiesce.api.v1.DrainState;
import dev.quiesce.api.v1.GetStateRequest;
import dev.quiesce.api.v1.InboxEntry;
import dev.quiesce.api.v1.ListInboxRequest;
import dev.quiesce.api.v1.ListInboxResponse;
import dev.quiesce.api.v1.Phase;
import dev.quiesce.testing.TestTokens;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Crash consistency of the inbox (issue 18): a client sends messages with a channel and a message id
 * in several sessions to the packaged gateway, which is SIGKILLed at random moments and restarted on
 * the same home and fake {@code /proc} (the same epoch, so a drain's marker survives the restart and
 * the new process starts DRAINING). Each life of the gateway is one of two:
 *
 * <ul>
 *   <li>deferral: the gateway drains (BeginDrain unless the marker kept the drain on), the client
 *       sends, every message is answered DEFERRED, and the kill lands among the calls;
 *   <li>replay: entries wait, and the gateway runs them — after CancelDrain, or by itself because it
 *       started RUNNING — while the client sends or not (a message then goes behind its session's
 *       backlog, or runs at once); the kill lands within the replay's expected length.
 * </ul>
 *
 * After every restart, what ListInbox shows is what the client sent (whole) and every deferred message
 * is listed or already delivered. At the end, after the last restart and CancelDrain, the inbox empties
 * and the real webhook receiver ({@code quiesce.notify.sink=webhook}) has, for every deferred_id the
 * client was given, at least one whole {@code deferred_reply}; a message whose call the kill cut off is
 * delivered whole or not at all; the first arrivals of each session are in the order its messages were
 * sent; nothing answered directly is delivered again or before an earlier message of its session;
 * reruns (an id delivered more than once) are at most replay-concurrency per kill.
 *
 * <p>Short by default (40 messages, 4 kills). The long run ({@code -Preliability}, see
 * {@code src/test/RELIABILITY.md}) sets {@code reliability.inbox.messages} and
 * {@code reliability.inbox.kills}. {@code reliability.seed} replays a run's choices; the seed is printed
 * first, and is in the report ({@code target/reliability/inbox-crash-consistency.md}) and in every
 * failure message.
 */
class InboxCrashConsistencyIT {

    private static final int MESSAGES = Integer.getInteger("reliability.inbox.messages", 40);
    private static final int KILLS = Integer.getInteger("reliability.inbox.kills", 4);
    private static final List<String> SESSIONS = IntStream.range(0, 8).mapToObj(i -> "s" + i).toList();
    private static final int SENDER_THREADS = 4;
    private static final int REPLAY_CONCURRENCY = 4;
    private static final String REPLY = "deferred_reply";

    private final ExecutorService killer = Executors.newSingleThreadExecutor();

    @AfterEach
    void stopKiller() {
        killer.shutdownNow();
    }

    @Test
    void everyDeferredMessageArrivesInItsSessionsOrderThroughSigkillsDuringDeferralAndReplay() throws Exception {
        long seed = Long.getLong("reliability.seed", System.nanoTime());
        System.out.printf("InboxCrashConsistencyIT: seed %d (-Dreliability.seed=%d replays its choices)%n", seed, seed);
        Random random = new Random(seed);
        Path home = PackagedApp.newHome();
        InboxLedger ledger = new InboxLedger();
        Tally tally = new Tally();
        long started = System.nanoTime();
        int maxLives = KILLS * 3 + 10;

        try (WebhookRecorder webhook = new WebhookRecorder()) {
            Lives lives = new Lives(home, webhook, ledger, tally, random, seed);
            while (tally.kills < KILLS || ledger.count(InboxLedger.Answer.DEFERRED) < MESSAGES) {
                assertThat(tally.lives).as("lives (bounded loop), seed %d", seed).isLessThan(maxLives);
                tally.lives++;
                lives.next();
            }
            InboxLedger.Verdict verdict = lives.last();
            tally.report(seed, ledger, verdict, Duration.ofNanos(System.nanoTime() - started));

            assertThat(verdict.problems()).as("seed %d", seed).isEmpty();
            assertThat(verdict.lost()).as("lost, seed %d", seed).isZero();
            assertThat(verdict.rerunDeliveries()).as("reruns: at most replay-concurrency per kill, seed %d", seed)
                    .isLessThanOrEqualTo((long) REPLAY_CONCURRENCY * tally.kills);
            assertThat(tally.kills).isGreaterThanOrEqualTo(KILLS);
            assertThat(tally.deferralKills).as("kills during deferral, seed %d", seed).isPositive();
            assertThat(tally.replayKills()).as("kills during replay, seed %d", seed).isPositive();
            assertThat(ledger.count(InboxLedger.Answer.DEFERRED)).isGreaterThanOrEqualTo(MESSAGES);
        }
    }

    /** The lives of the gateway on one home, each ended by a SIGKILL, and the last one. Not thread-safe. */
    private final class Lives {
        private final Path home;
        private final WebhookRecorder webhook;
        private final InboxLedger ledger;
        private final Tally tally;
        private final Random random;
        private final long seed;
        /** What the marker on disk holds: a drain, or none. */
        private boolean draining;
        /** Running estimates: how long the client takes per answered message, the replay per entry. */
        private double sendNanos = TimeUnit.MICROSECONDS.toNanos(500);
        private double replayNanos = TimeUnit.MILLISECONDS.toNanos(10);
        /** Set just before each kill, cleared at each life's start: a call failing after it is in doubt. */
        private final AtomicBoolean killedFlag = new AtomicBoolean();

        Lives(Path home, WebhookRecorder webhook, InboxLedger ledger, Tally tally, Random random, long seed) {
            this.home = home;
            this.webhook = webhook;
            this.ledger = ledger;
            this.tally = tally;
            this.random = random;
            this.seed = seed;
        }

        /** One life: a start, deferral or replay, a SIGKILL. */
        void next() throws Exception {
            Duration echoDelay = Duration.ofMillis(10L * random.nextInt(4));
            Map<String, String> config = config(webhook, echoDelay);
            long undelivered = ledger.undelivered(replies());
            if (!draining && undelivered > 0 && random.nextBoolean()) {
                // No marker: the new process replays by itself as it starts. Kill it after 1..all of those deliveries.
                Life life = new Life("replay at start", echoDelay, false, (int) undelivered);
                try (PackagedApp app = PackagedApp.launch(home, config, PackagedApp.FAST_START)) {
                    killAfterDeliveries(app, life, 1 + random.nextInt((int) undelivered), null);
                }
                return;
            }
            try (PackagedApp app = PackagedApp.start(home, config, PackagedApp.FAST_START)) {
                DrainControlGrpc.DrainControlBlockingStub control =
                        as(DrainControlGrpc.newBlockingStub(app.channel()), TestTokens.OPERATOR);
                boolean startedDraining = draining;
                int waiting = checkRestart(control, webhook, ledger, draining, tally, seed);
                long deferred = ledger.count(InboxLedger.Answer.DEFERRED);
                // Half and half, but at least a third of the kills land in a replay (when something waits).
                boolean replay = waiting > 0 && (deferred >= MESSAGES || tally.replayKills() * 2 < tally.deferralKills
                        || random.nextBoolean());
                boolean send = !replay || random.nextBoolean();
                if (replay) {
                    // Started RUNNING, its own replay is under way: up to a concurrency's worth may be in flight.
                    int reachable = startedDraining ? waiting : Math.max(1, waiting - REPLAY_CONCURRENCY);
                    Life life = new Life(startedDraining ? "replay after CancelDrain" : "replay at start", echoDelay,
                            startedDraining, waiting);
                    if (draining) {
                        control.cancelDrain(CancelDrainRequest.getDefaultInstance());
                        draining = false;
                    }
                    // The client's messages now go behind their sessions' backlogs, or run at once: a few suffice.
                    killAfterDeliveries(app, life, random.nextInt(reachable), send ? senders(app, perLife()) : null);
                    return;
                }
                if (!draining) {
                    control.beginDrain(BeginDrainRequest.newBuilder().setReason("inbox crash test").build());
                    draining = true;
                }
                int perLife = perLife();
                Life life = new Life("deferral", echoDelay, startedDraining, waiting);
                InboxSenders senders = senders(app, Integer.MAX_VALUE);
                // A random moment among the calls after 0..2*perLife answers: within one call's round trip.
                long target = life.answeredBefore + random.nextInt(2 * perLife + 1);
                killWhen(app, life, target + " answers", () -> ledger.answered() >= target,
                        (long) (random.nextDouble() * SENDER_THREADS * sendNanos), senders);
                if (life.answered > 0) {
                    sendNanos = (sendNanos * 3 + (double) life.lived / life.answered) / 4;
                }
            }
        }

        /**
         * Kills {@code app} at a random moment after {@code k} more deliveries: within the time one entry's
         * replay takes, so anywhere from a turn's start to its entry's removal.
         */
        private void killAfterDeliveries(PackagedApp app, Life life, int k, InboxSenders senders) throws Exception {
            int target = life.repliesBefore + k;
            killWhen(app, life, k + " more deliveries", () -> replies().size() >= target,
                    (long) (random.nextDouble() * replayNanos), senders);
            if (life.delivered > 0 && life.left > 0) {
                replayNanos = (replayNanos * 3 + (double) life.lived / life.delivered) / 4;
            }
        }

        /** SIGKILLs {@code app} {@code extraNanos} after {@code reached} holds, then ends the life. */
        private void killWhen(PackagedApp app, Life life, String what, BooleanSupplier reached, long extraNanos,
                InboxSenders senders) throws Exception {
            Future<?> kill = killer.submit(() -> {
                try {
                    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(1)).until(reached::getAsBoolean);
                } catch (ConditionTimeoutException e) {
                    throw new AssertionError("life " + tally.lives + ": no " + what + " within 60 s, seed " + seed
                            + ": " + app.tail(), e);
                }
                TimeUnit.NANOSECONDS.sleep(extraNanos); // a random moment, not a synchronisation
                life.kill(app);
                return null;
            });
            kill.get(90, TimeUnit.SECONDS);
            life.end(senders);
        }

        private InboxSenders senders(PackagedApp app, int budget) {
            return new InboxSenders(app.channel(), SESSIONS, SENDER_THREADS, budget, ledger, tally.lives,
                    random.nextLong(), killedFlag);
        }

        /** About how many messages a deferral life should see answered for the run to reach its count. */
        private int perLife() {
            long missing = MESSAGES - ledger.count(InboxLedger.Answer.DEFERRED);
            return (int) Math.max(2, missing / Math.max(1, (KILLS - tally.kills + 1) / 2));
        }

        /** One life's kind and figures, for the tally and its line in the output. */
        private final class Life {
            final String kind;
            final Duration echoDelay;
            final boolean startedDraining;
            final int waiting;
            final int repliesBefore = replies().size();
            final long answeredBefore = ledger.answered();
            final long start = System.nanoTime();
            long lived;
            int delivered;
            long answered;
            long left;

            Life(String kind, Duration echoDelay, boolean startedDraining, int waiting) {
                this.kind = kind;
                this.echoDelay = echoDelay;
                this.startedDraining = startedDraining;
                this.waiting = waiting;
                killedFlag.set(false);
            }

            void kill(PackagedApp app) throws InterruptedException {
                lived = System.nanoTime() - start;
                killedFlag.set(true);
                app.kill();
            }

            /** After the kill: the client's threads ended, the figures taken. */
            void end(InboxSenders senders) throws InterruptedException {
                tally.kills++;
                if (senders != null) {
                    assertThat(senders.join()).as("the client's calls in life %d, seed %d", tally.lives, seed).isEmpty();
                }
                delivered = replies().size() - repliesBefore;
                answered = ledger.answered() - answeredBefore;
                left = ledger.undelivered(replies());
                tally.killed(kind, delivered, left);
                System.out.printf("life %d: %s, started %s with %d waiting, echo %d ms%s; killed after %.0f ms: "
                        + "%d delivered, %d answered, %d deferred undelivered%n", tally.lives, kind,
                        startedDraining ? "DRAINING" : "RUNNING", waiting, echoDelay.toMillis(),
                        senders != null ? ", client sending" : "", lived / 1e6, delivered, answered, left);
            }
        }

        private List<WebhookRecorder.Arrival> replies() {
            return webhook.arrivals(REPLY);
        }

        /**
         * The last start: the drain (if any) cancelled, the inbox runs empty, nothing stays behind, then
         * SIGTERM and exit 0.
         */
        InboxLedger.Verdict last() throws Exception {
            try (PackagedApp app = PackagedApp.start(home, config(webhook, Duration.ZERO), PackagedApp.FAST_START)) {
                DrainControlGrpc.DrainControlBlockingStub control =
                        as(DrainControlGrpc.newBlockingStub(app.channel()), TestTokens.OPERATOR);
                checkRestart(control, webhook, ledger, draining, tally, seed);
                if (draining) {
                    control.cancelDrain(CancelDrainRequest.getDefaultInstance());
                }
                await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(50)).until(() -> {
                    DrainState state = control.getState(GetStateRequest.getDefaultInstance());
                    return state.getInbox().getWaiting() == 0 && !state.getInbox().getReplaying()
                            && state.getInFlight() == 0;
                });
                assertThat(listAll(control)).as("ListInbox at the end, seed %d", seed).isEmpty();
                assertThat(webhook.arrivals("deferred_expired")).as("expired, seed %d", seed).isEmpty();
                InboxLedger.Verdict verdict = ledger.verdict(replies());
                assertThat(app.terminate(Duration.ofSeconds(30)).code()).as("exit after SIGTERM").isZero();
                return verdict;
            }
        }
    }

    /**
     * Checks a restarted gateway: the phase the marker left, the inbox usable, what it holds whole and
     * nothing deferred missing.
     *
     * @return how many entries it listed
     */
    private static int checkRestart(DrainControlGrpc.DrainControlBlockingStub control, WebhookRecorder webhook,
            InboxLedger ledger, boolean draining, Tally tally, long seed) {
        DrainState state = control.getState(GetStateRequest.getDefaultInstance());
        assertThat(state.getPhase()).as("phase at start %d, seed %d", tally.lives, seed)
                .isEqualTo(draining ? Phase.PHASE_DRAINING : Phase.PHASE_RUNNING);
        assertThat(state.getInbox().getError()).as("inbox error at start %d, seed %d", tally.lives, seed).isEmpty();
        List<InboxEntry> listed = listAll(control);
        // Read after the listing: an entry is deleted only once delivered, so one not listed is on the webhook now.
        List<WebhookRecorder.Arrival> replies = webhook.arrivals("deferred_reply");
        assertThat(ledger.checkHeld(listed, replies)).as("the inbox after kill %d, seed %d", tally.kills, seed)
                .isEmpty();
        if (draining) {
            // Nothing replays while draining, so the count published at start is the store's.
            assertThat(state.getInbox().getWaiting()).as("waiting at start %d, seed %d", tally.lives, seed)
                    .isEqualTo(listed.size());
        }
        tally.maxWaiting = Math.max(tally.maxWaiting, listed.size());
        return listed.size();
    }

    private static List<InboxEntry> listAll(DrainControlGrpc.DrainControlBlockingStub control) {
        List<InboxEntry> entries = new ArrayList<>();
        String token = "";
        do {
            ListInboxResponse page = control.withDeadlineAfter(10, TimeUnit.SECONDS)
                    .listInbox(ListInboxRequest.newBuilder().setPageSize(1000).setPageToken(token).build());
            entries.addAll(page.getEntriesList());
            token = page.getNextPageToken();
        } while (!token.isEmpty());
        return entries;
    }

    private static Map<String, String> config(WebhookRecorder webhook, Duration echoDelay) {
        return Map.of("quiesce.notify.sink", "webhook", "quiesce.notify.webhook.url", webhook.url(),
                "quiesce.turn.echo.delay", echoDelay.toMillis() + "ms",
                "quiesce.inbox.replay-concurrency", String.valueOf(REPLAY_CONCURRENCY),
                "quiesce.shutdown.drain-timeout", "5s");
    }

    /** The run's figures, for the report. */
    private static final class Tally {
        int lives;
        int kills;
        int deferralKills;
        int replayAfterCancelKills;
        int replayAtStartKills;
        int replaysCut;
        int replaysNotBegun;
        int replaysFinished;
        int maxWaiting;

        int replayKills() {
            return replayAfterCancelKills + replayAtStartKills;
        }

        void killed(String kind, int delivered, long left) {
            switch (kind) {
                case "deferral" -> deferralKills++;
                case "replay at start" -> replayAtStartKills++;
                default -> replayAfterCancelKills++;
            }
            if (!kind.equals("deferral")) {
                if (left == 0) {
                    replaysFinished++;
                } else if (delivered == 0) {
                    replaysNotBegun++;
                } else {
                    replaysCut++;
                }
            }
        }

        void report(long seed, InboxLedger ledger, InboxLedger.Verdict verdict, Duration took) throws IOException {
            String report = String.format("""
                    # Inbox crash consistency

                    | figure | value |
                    |---|---|
                    | seed (`-Dreliability.seed`) | %d |
                    | messages sent | %d: %d DEFERRED, %d COMPLETED at once, %d in doubt (the kill cut the call) |
                    | SIGKILLs | %d (%d starts of the app): %d during deferral, %d during replay |
                    | replays killed: after CancelDrain / begun by a start in RUNNING | %d / %d |
                    | replays killed: mid-way / before the first delivery / after the last | %d / %d / %d |
                    | most entries waiting at a restart | %d |
                    | deferred_ids delivered | %d of %d |
                    | in doubt: delivered whole / not stored | %d / %d |
                    | deferred_reply deliveries | %d |
                    | reruns: deferred_ids delivered more than once (extra deliveries) | %d (%d) |
                    | lost | %d |
                    | problems (order, wholeness, invented, overtaken) | %d |
                    | duration | %d s |
                    """, seed, ledger.size(), ledger.count(InboxLedger.Answer.DEFERRED),
                    ledger.count(InboxLedger.Answer.COMPLETED), ledger.count(InboxLedger.Answer.IN_DOUBT), kills,
                    lives + 1, deferralKills, replayKills(), replayAfterCancelKills, replayAtStartKills, replaysCut,
                    replaysNotBegun, replaysFinished, maxWaiting, verdict.deliveredDeferred(),
                    ledger.count(InboxLedger.Answer.DEFERRED), verdict.inDoubtDelivered(), verdict.inDoubtNotStored(),
                    verdict.replies(), verdict.rerunIds(), verdict.rerunDeliveries(), verdict.lost(),
                    verdict.problems().size(), took.toSeconds());
            Path dir = Files.createDirectories(Path.of("target", "reliability"));
            Files.writeString(dir.resolve("inbox-crash-consistency.md"), report);
            System.out.println(report);
        }
    }
}
