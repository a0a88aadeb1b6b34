package dev.quiesce.bench;

import dev.quiesce.api.v1.InboundMessage;
import dev.quiesce.api.v1.TurnOutcome;
import dev.quiesce.api.v1.TurnResult;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Section 8 (d): user turns cut off by a shutdown and resumed after the restart (SPEC §10), timed
 * from the SIGTERM. The packaged gateway runs its {@code http} turn handler on an {@link AgentStub}
 * that holds every turn, its {@code webhook} sink on a {@link WebhookReceiver}, and a short drain
 * timeout. N user turns (each its own session, with a channel and a message_id) are running when the
 * harness sends SIGTERM, without a drain first; the gateway waits the drain timeout, records and
 * interrupts them, and exits. A new gateway on the same home and port (a pod restarted in place: same
 * machine, same boot id, and no marker, since nothing drained) starts with the backend answering at
 * once. From the signal: the old process's exit, the new one's readiness (grpc.health SERVING for
 * ""), the first and the last {@code deferred_reply} of the cut-off turns; and how often each was
 * answered, by message_id. The same run with {@code quiesce.inbox.resume=false} is the reference
 * design, which records nothing: it counts what is answered after the restart. Not thread-safe.
 */
final class ResumeLatency implements AutoCloseable {

    private static final String CHANNEL = "bench:resume";
    private static final String DEFERRED_REPLY = "deferred_reply";
    private static final Duration AT_MOST = Duration.ofSeconds(60);

    /**
     * One trial. The times are nanoseconds from the SIGTERM; {@code firstReply} and {@code lastReply}
     * are -1 when no cut-off turn was answered. {@code answered}: cut-off turns with a deferred_reply
     * after the restart; {@code answeredTwice}: those with more than one; {@code reruns}: backend runs
     * of a resumed turn beyond one per turn; {@code interrupted}: callers answered INTERRUPTED;
     * {@code pings}: session_interrupted notifications of the shutdown.
     */
    record Trial(int turns, AppProcess.Exit stop, long ready, long firstReply, long lastReply, int answered,
            int answeredTwice, int reruns, int interrupted, int pings) {}

    private final Path jar;
    private final Path log;
    private final List<String> jvmArgs;
    private final Duration drainTimeout;
    private final AgentStub backend = new AgentStub();
    private final WebhookReceiver webhook = new WebhookReceiver();
    private int trials;

    /**
     * @param jvmArgs the gateway's JVM options besides those of this measurement
     * @param drainTimeout the shutdown's wait for running turns before it interrupts them (whole seconds)
     */
    ResumeLatency(Path jar, Path log, List<String> jvmArgs, Duration drainTimeout) throws IOException {
        this.jar = jar;
        this.log = log;
        this.jvmArgs = jvmArgs;
        this.drainTimeout = drainTimeout;
    }

    /** One trial with {@code turns} cut-off turns; {@code resume} false is the reference design. */
    Trial run(int turns, boolean resume) throws Exception {
        int trial = ++trials;
        List<String> sessions = new ArrayList<>();
        for (int i = 0; i < turns; i++) {
            sessions.add("resume-" + trial + "-" + i);
        }
        List<String> args = new ArrayList<>(jvmArgs);
        args.addAll(List.of("-Dquiesce.turn.handler=http", "-Dquiesce.turn.http.url=" + backend.url(),
                "-Dquiesce.notify.sink=webhook", "-Dquiesce.notify.webhook.url=" + webhook.url(),
                "-Dquiesce.shutdown.drain-timeout=" + drainTimeout.toSeconds() + "s",
                "-Dquiesce.inbox.resume=" + resume));
        int port = AppProcess.freePort();
        Path home = BenchSuite.tempHome();
        try {
            backend.hold();
            AppProcess.Exit stop;
            int interrupted;
            try (AppProcess old = AppProcess.start(jar, home, log, args, "", port);
                    GatewayChannel channel = new GatewayChannel(port, old.operatorToken())) {
                List<CompletableFuture<TurnResult>> answers = sessions.stream().map(s -> send(channel, s)).toList();
                if (!backend.awaitHeld(turns, AT_MOST)) {
                    throw new IllegalStateException("the backend did not get " + turns + " turns within " + AT_MOST);
                }
                stop = old.stop();
                interrupted = interrupted(answers);
            }
            backend.answerAtOnce();
            int before = backend.requests().size();
            try (AppProcess fresh = AppProcess.start(jar, home, log, args, "", port);
                    GatewayChannel control = new GatewayChannel(port, fresh.operatorToken())) {
                long ready = fresh.readyAtNanos() - stop.signalledAtNanos();
                if (resume) {
                    webhook.awaitEach(DEFERRED_REPLY, sessions, AT_MOST);
                }
                awaitInboxEmpty(control);
                return trial(turns, sessions, stop, ready, interrupted, before);
            }
        } finally {
            BenchSuite.deleteRecursively(home);
        }
    }

    private Trial trial(int turns, List<String> sessions, AppProcess.Exit stop, long ready, int interrupted,
            int backendBefore) {
        List<WebhookReceiver.Arrival> replies = webhook.arrivals(DEFERRED_REPLY, sessions);
        Map<String, Long> perMessage = replies.stream()
                .collect(Collectors.groupingBy(WebhookReceiver.Arrival::messageId, Collectors.counting()));
        List<AgentStub.Request> runs = backend.requests();
        long resumedRuns = runs.subList(backendBefore, runs.size()).stream()
                .filter(r -> r.resumed() && sessions.contains(r.sessionId())).count();
        long signalled = stop.signalledAtNanos();
        return new Trial(turns, stop, ready, replies.isEmpty() ? -1 : replies.get(0).atNanos() - signalled,
                replies.isEmpty() ? -1 : replies.get(replies.size() - 1).atNanos() - signalled, perMessage.size(),
                (int) perMessage.values().stream().filter(n -> n > 1).count(),
                (int) Math.max(0, resumedRuns - perMessage.size()), interrupted,
                webhook.arrivals("session_interrupted", sessions).size());
    }

    /** Until the new gateway's inbox is empty: every resumed turn answered and removed (or none recorded). */
    private static void awaitInboxEmpty(GatewayChannel control) throws InterruptedException {
        try (StateStream stream = new StateStream(control)) {
            if (stream.await(s -> s.waiting() == 0, AT_MOST.toNanos()) == null) {
                throw new IllegalStateException("the restarted gateway's inbox was not empty within " + AT_MOST);
            }
        }
    }

    private static CompletableFuture<TurnResult> send(GatewayChannel channel, String session) {
        CompletableFuture<TurnResult> answer = new CompletableFuture<>();
        InboundMessage message = InboundMessage.newBuilder().setSessionId(session).setChannel(CHANNEL)
                .setMessageId("msg-" + session).setText("a long task for " + session).build();
        channel.gatewayAsync().withDeadlineAfter(AT_MOST.toSeconds(), TimeUnit.SECONDS).handleMessage(message,
                new StreamObserver<>() {
                    @Override
                    public void onNext(TurnResult result) {
                        answer.complete(result);
                    }

                    @Override
                    public void onError(Throwable t) {
                        answer.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                        answer.completeExceptionally(new IllegalStateException("no answer"));
                    }
                });
        return answer;
    }

    /**
     * Callers answered INTERRUPTED. Called once the old gateway has exited: each call has its answer or
     * has failed (UNAVAILABLE) by then, or does so at once.
     */
    private static int interrupted(List<CompletableFuture<TurnResult>> answers) throws InterruptedException {
        int interrupted = 0;
        for (CompletableFuture<TurnResult> answer : answers) {
            try {
                if (answer.get(10, TimeUnit.SECONDS).getOutcome() == TurnOutcome.TURN_OUTCOME_INTERRUPTED) {
                    interrupted++;
                }
            } catch (ExecutionException | TimeoutException e) {
                // not answered INTERRUPTED
            }
        }
        return interrupted;
    }

    /** Rows of section 8's table (d): one per design and number of cut-off turns. */
    static void render(Report.Table table, String design, List<Trial> trials) {
        int turns = trials.get(0).turns();
        int total = turns * trials.size();
        int answered = trials.stream().mapToInt(Trial::answered).sum();
        table.row(design, turns, trials.size(), span(trials, t -> t.stop().nanos()), span(trials, Trial::ready),
                span(trials, Trial::firstReply), span(trials, Trial::lastReply),
                answered + " of " + total + (answered == 0 ? " (lost: each user must send it again)" : ""),
                trials.stream().mapToInt(Trial::answeredTwice).sum() + " / "
                        + trials.stream().mapToInt(Trial::reruns).sum(),
                trials.stream().mapToInt(Trial::interrupted).sum() + " / "
                        + trials.stream().mapToInt(Trial::pings).sum(),
                trials.stream().map(t -> String.valueOf(t.stop().code())).distinct().collect(Collectors.joining(", ")));
    }

    /** "median / max" ms over the trials that have the figure; "–" when none has. */
    private static String span(List<Trial> trials, Function<Trial, Long> figure) {
        LatencySamples samples = new LatencySamples("span");
        trials.stream().map(figure).filter(n -> n >= 0).forEach(samples::add);
        return samples.count() == 0 ? "– (none)"
                : Report.num(samples.medianMs(), "%.0f") + " / " + Report.num(samples.maxMs(), "%.0f");
    }

    @Override
    public void close() {
        backend.close();
        webhook.close();
    }
}
