package dev.quiesce.bench;

import dev.quiesce.api.v1.BeginDrainRequest;
import dev.quiesce.api.v1.CancelDrainRequest;
import dev.quiesce.api.v1.DrainState;
import dev.quiesce.api.v1.GetStateRequest;
import dev.quiesce.api.v1.InboundMessage;
import dev.quiesce.api.v1.Phase;
import dev.quiesce.api.v1.TurnOutcome;
import dev.quiesce.api.v1.TurnResult;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Section 8: the inbox (SPEC §9) of the packaged gateway, on its real SQLite file (WAL,
 * {@code synchronous=FULL}: a DEFERRED answer waits for the commit's fsync) in a temporary home. Three
 * measurements: the DEFERRED round trip under closed-loop ingress while draining ({@link #answer}), the
 * replay from CancelDrain to an empty inbox ({@link #replay}), and entries carried through a SIGTERM and
 * a restart ({@link #restart}). The first and the last also run on a gateway with the inbox off
 * ({@code quiesce.inbox.mode=refuse}: the reference design, which refuses a message while draining).
 * Every message has a channel and a unique message id, and the sessions rotate over many. Not
 * thread-safe.
 */
final class InboxBenchmark {

    static final String CHANNEL = "bench:inbox";
    /** About the size of a chat message. */
    private static final String TEXT = "Could you look at the build that failed this morning and tell me what broke?";
    /** A deferred_reply line of the log sink: {@code ... (session '...', deferred m-...): N characters, not logged}. */
    private static final Pattern DELIVERED = Pattern.compile("Notification deferred_reply .*, deferred (m-[0-9a-f]+)\\)");

    private final AtomicLong messageIds = new AtomicLong();

    /** One message of session {@code n % sessions}, with a message id never used before. */
    private InboundMessage message(String prefix, long n, int sessions) {
        return InboundMessage.newBuilder().setSessionId(prefix + "-" + (n % sessions)).setChannel(CHANNEL)
                .setMessageId("b-" + messageIds.incrementAndGet()).setText(TEXT).build();
    }

    /**
     * (a) A closed loop of HandleMessage on a draining gateway: every answer must be {@code expected} —
     * DEFERRED for a gateway that keeps messages, REFUSED_DRAINING for one that refuses them as the
     * reference design does (anything else counts as an error). The sessions rotate over {@code sessions}.
     */
    ClosedLoop.Result answer(List<GatewayChannel> channels, int concurrency, Duration duration, int sessions,
            AppProcess app, TurnOutcome expected) throws InterruptedException {
        AtomicLong next = new AtomicLong();
        return ClosedLoop.run("answer" + concurrency, concurrency, duration, (slot, done) ->
                channels.get(slot % channels.size()).gatewayAsync().handleMessage(
                        message("defer", next.getAndIncrement(), sessions), observer(expected, done::completed)), app);
    }

    /** What {@link #fill} got back: the deferred_ids of the messages kept, and how many were refused as draining. */
    record Sent(List<String> deferredIds, int refused) {}

    /**
     * Sends exactly {@code count} messages over {@code concurrency} concurrent calls and collects the
     * deferred_ids of those answered DEFERRED and the number answered REFUSED_DRAINING.
     *
     * @return the deferred_ids (fewer than {@code count} when some were refused or failed) and the refusals
     */
    Sent fill(List<GatewayChannel> channels, int count, int concurrency, int sessions, String prefix)
            throws InterruptedException {
        AtomicLong issued = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        ConcurrentLinkedQueue<String> ids = new ConcurrentLinkedQueue<>();
        CountDownLatch slots = new CountDownLatch(concurrency);
        for (int slot = 0; slot < concurrency; slot++) {
            GatewayChannel channel = channels.get(slot % channels.size());
            new Runnable() {
                @Override
                public void run() {
                    long n = issued.getAndIncrement();
                    if (n >= count) {
                        slots.countDown();
                        return;
                    }
                    channel.gatewayAsync().handleMessage(message(prefix, n, sessions), new StreamObserver<>() {
                        @Override
                        public void onNext(TurnResult result) {
                            if (result.getOutcome() == TurnOutcome.TURN_OUTCOME_DEFERRED) {
                                ids.add(result.getDeferredId());
                            } else if (result.getOutcome() == TurnOutcome.TURN_OUTCOME_REFUSED_DRAINING) {
                                refused.incrementAndGet();
                            }
                        }

                        @Override
                        public void onError(Throwable t) {
                            run();
                        }

                        @Override
                        public void onCompleted() {
                            run();
                        }
                    });
                }
            }.run();
        }
        if (!slots.await(10, TimeUnit.MINUTES)) {
            throw new IllegalStateException("filling the inbox with " + count + " messages took over 10 minutes");
        }
        return new Sent(List.copyOf(ids), (int) refused.get());
    }

    /** What one replay measured. */
    record Replay(int entries, int sessions, long nanos, int left, AppProcess.Cpu cpu) {
        double perSecond() {
            return (entries - left) / (nanos / 1e9);
        }

        /** Server CPU (without the JIT) per replayed entry, in µs. */
        double cpuMicrosPerEntry() {
            return cpu == null || entries == left ? Double.NaN : cpu.appNanos() / 1000.0 / (entries - left);
        }
    }

    /**
     * (b) Drains, defers {@code entries} over {@code sessions}, then times CancelDrain until a kept-open
     * WatchState stream shows the inbox empty (or {@code atMost} passed: then {@link Replay#left} says
     * how many were still waiting), and the server's CPU meanwhile.
     */
    Replay replay(AppProcess app, GatewayChannel control, List<GatewayChannel> channels, int entries, int sessions,
            Duration atMost) throws Exception {
        control.blocking().withDeadlineAfter(10, TimeUnit.SECONDS)
                .beginDrain(BeginDrainRequest.newBuilder().setReason("bench: inbox replay").build());
        List<String> ids = fill(channels, entries, 16, sessions, "replay" + sessions).deferredIds();
        if (ids.size() != entries) {
            throw new IllegalStateException(entries - ids.size() + " of " + entries + " messages were not deferred");
        }
        try (StateStream stream = new StateStream(control)) {
            if (stream.await(s -> s.waiting() == entries, TimeUnit.SECONDS.toNanos(10)) == null) {
                throw new IllegalStateException("the inbox never showed " + entries + " waiting");
            }
            AppProcess.Cpu before = app.cpu();
            long start = System.nanoTime();
            control.blocking().withDeadlineAfter(10, TimeUnit.SECONDS).cancelDrain(CancelDrainRequest.getDefaultInstance());
            StateStream.Received[] last = new StateStream.Received[1];
            StateStream.Received empty = stream.await(s -> {
                last[0] = s;
                return s.phase() == Phase.PHASE_RUNNING && s.waiting() == 0;
            }, atMost.toNanos());
            long end = empty == null ? System.nanoTime() : empty.arrivedNanos();
            AppProcess.Cpu after = app.cpu();
            int left = empty != null ? 0 : last[0] == null ? entries : last[0].waiting();
            return new Replay(entries, sessions, end - start, left,
                    new AppProcess.Cpu(after.appNanos() - before.appNanos(), after.jitNanos() - before.jitNanos()));
        }
    }

    /**
     * What carrying entries through a restart measured. {@code lost}: messages sent and never answered
     * (no deferred_reply after the restart), refused ones included; {@code answersPerSecond}: DEFERRED or
     * refused answers per second while filling.
     */
    record Restart(int sent, int deferred, int refused, double answersPerSecond, int waitingBeforeStop,
            AppProcess.Exit stop, double readyMillis, Phase phaseAfter, int waitingAfterStart, Replay replay,
            int delivered, int lost, int reruns, int exitAfter) {}

    /**
     * (c) A fresh gateway with its default inbox limits: drain, defer {@code entries}, SIGTERM, start again
     * on the same home (the drain's marker survives, so it starts DRAINING), CancelDrain, and count in the
     * second start's log (the log sink) which of the deferred_ids were delivered. With
     * {@code -Dquiesce.inbox.mode=refuse} in {@code jvmArgs} (the reference design) every message is
     * refused instead, and none is answered after the restart. The two starts log to {@code
     * <logPrefix>-1.log} and {@code -2.log} in {@code out}.
     */
    Restart restart(Path jar, Path home, Path out, List<String> jvmArgs, int entries, int sessions, Duration atMost,
            String logPrefix) throws Exception {
        Sent sent;
        double answersPerSecond;
        int waitingBeforeStop;
        AppProcess.Exit stop;
        try (AppProcess app = AppProcess.start(jar, home, out.resolve(logPrefix + "-1.log"), jvmArgs);
                GatewayChannel control = new GatewayChannel(app.port(), app.operatorToken())) {
            List<GatewayChannel> channels = List.of(control, new GatewayChannel(app.port(), app.operatorToken()));
            try {
                control.blocking().withDeadlineAfter(10, TimeUnit.SECONDS)
                        .beginDrain(BeginDrainRequest.newBuilder().setReason("bench: inbox restart").build());
                long start = System.nanoTime();
                sent = fill(channels, entries, 16, sessions, "restart");
                answersPerSecond = (sent.deferredIds().size() + sent.refused()) / ((System.nanoTime() - start) / 1e9);
                waitingBeforeStop = state(control).getInbox().getWaiting();
            } finally {
                channels.get(1).close();
            }
            stop = app.stop();
        }
        Path log = out.resolve(logPrefix + "-2.log");
        Files.deleteIfExists(log);
        try (AppProcess app = AppProcess.start(jar, home, log, jvmArgs, "quiesce.v1.DrainControl");
                GatewayChannel control = new GatewayChannel(app.port(), app.operatorToken())) {
            DrainState after = state(control);
            int waitingAfterStart = after.getInbox().getWaiting();
            Replay replay;
            try (StateStream stream = new StateStream(control)) {
                AppProcess.Cpu before = app.cpu();
                long start = System.nanoTime();
                control.blocking().withDeadlineAfter(10, TimeUnit.SECONDS)
                        .cancelDrain(CancelDrainRequest.getDefaultInstance());
                StateStream.Received empty = stream.await(s -> s.phase() == Phase.PHASE_RUNNING && s.waiting() == 0,
                        atMost.toNanos());
                long end = empty == null ? System.nanoTime() : empty.arrivedNanos();
                AppProcess.Cpu cpu = app.cpu();
                replay = new Replay(waitingAfterStart, sessions, end - start,
                        empty == null ? state(control).getInbox().getWaiting() : 0,
                        new AppProcess.Cpu(cpu.appNanos() - before.appNanos(), cpu.jitNanos() - before.jitNanos()));
            }
            AppProcess.Exit exit = app.stop();
            List<String> ids = sent.deferredIds();
            int[] counted = count(log, ids);
            return new Restart(entries, ids.size(), sent.refused(), answersPerSecond, waitingBeforeStop, stop,
                    app.readyMillis(), after.getPhase(), waitingAfterStart, replay, counted[0], entries - counted[0],
                    counted[1], exit.code());
        }
    }

    /** {delivered: ids with a deferred_reply line in the log, reruns: lines beyond one per id}. */
    private static int[] count(Path log, List<String> ids) throws IOException {
        Set<String> wanted = new HashSet<>(ids);
        Set<String> seen = new HashSet<>();
        int lines = 0;
        for (String line : Files.readAllLines(log)) {
            Matcher m = DELIVERED.matcher(line);
            if (m.find() && wanted.contains(m.group(1))) {
                lines++;
                seen.add(m.group(1));
            }
        }
        return new int[] {seen.size(), lines - seen.size()};
    }

    /** The gateway's inbox entries now (GetState). */
    static int waiting(GatewayChannel control) {
        return state(control).getInbox().getWaiting();
    }

    private static DrainState state(GatewayChannel control) {
        return control.blocking().withDeadlineAfter(10, TimeUnit.SECONDS).getState(GetStateRequest.getDefaultInstance());
    }

    /** Completes {@code done} with true for an {@code expected} answer, false for anything else or an error. */
    private static StreamObserver<TurnResult> observer(TurnOutcome expected,
            java.util.function.Consumer<Boolean> done) {
        return new StreamObserver<>() {
            private boolean asExpected;

            @Override
            public void onNext(TurnResult result) {
                asExpected = result.getOutcome() == expected;
            }

            @Override
            public void onError(Throwable t) {
                done.accept(false);
            }

            @Override
            public void onCompleted() {
                done.accept(asExpected);
            }
        };
    }
}
