package dev.quiesce.lifecycle;

import static dev.quiesce.testing.GrpcAuth.as;

import dev.quiesce.api.v1.BeginDrainRequest;
import dev.quiesce.api.v1.CancelDrainRequest;
import dev.quiesce.api.v1.DrainControlGrpc;
import dev.quiesce.api.v1.DrainState;
import dev.quiesce.api.v1.GetStateRequest;
import dev.quiesce.api.v1.InboundMessage;
import dev.quiesce.api.v1.MessageGatewayGrpc;
import dev.quiesce.api.v1.TurnOutcome;
import dev.quiesce.api.v1.WatchStateRequest;
import dev.quiesce.api.v1.WhenPaused;
import dev.quiesce.testing.TestTokens;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * Concurrent gRPC clients against one gateway, each on its own channel (its own connection), each
 * looping over a random mix of HandleMessage, GetState, WatchState, BeginDrain and CancelDrain
 * until the run's time is up. Every call's result is classified as expected or not:
 *
 * <ul>
 *   <li>HandleMessage: COMPLETED, REFUSED_DRAINING, REFUSED_BUSY and DEFERRED are expected (the
 *       clients share sessions, so BUSY happens; messages carry a channel, so a drain keeps them in the
 *       inbox, SPEC §9); REFUSED_STOPPING, INTERRUPTED and FAILED are not (nothing stops and echo turns
 *       do not fail);
 *   <li>CancelDrain with a non-empty drain_id: FAILED_PRECONDITION is expected (another client's drain
 *       or a made-up id); with an empty id it must succeed;
 *   <li>every other call must succeed; any error status (UNAVAILABLE, INTERNAL, UNKNOWN,
 *       DEADLINE_EXCEEDED, ...) is unexpected.
 * </ul>
 *
 * Leaving a WatchState stream means cancelling it, which sends an HTTP/2 RST_STREAM. The server's
 * rapid-reset protection (Vert.x: 200 RST_STREAM frames per 30 s per connection) answers more with
 * GOAWAY {@code ENHANCE_YOUR_CALM}, failing every call on that connection with RESOURCE_EXHAUSTED.
 * That is the server defending itself, not a fault, so each client stays under it: at most
 * {@value #WATCH_CANCELS_PER_WINDOW} stream cancellations per 30 s; a WatchState picked beyond that
 * is counted as {@code WatchState/DEFERRED} and not made.
 *
 * <p>Beside the clients, one monitor holds a WatchState stream for the whole run and checks that the
 * versions it receives only increase and that the stream does not end. Bounded: a client stops at
 * the deadline, each call has a 15 s deadline.
 */
final class GatewayLoad {

    /** Weights of the calls each client picks from. */
    record Mix(int handleMessage, int getState, int watchState, int beginDrain, int cancelDrain) {
        static final Mix DEFAULT = new Mix(50, 20, 10, 10, 10);

        int total() {
            return handleMessage + getState + watchState + beginDrain + cancelDrain;
        }
    }

    /**
     * What a run saw.
     *
     * @param counts calls by {@code Call/result}, e.g. {@code HandleMessage/TURN_OUTCOME_COMPLETED},
     *     {@code CancelDrain/FAILED_PRECONDITION}
     * @param unexpected how many results were not expected
     * @param unexpectedSamples the first few unexpected results, described
     * @param monitorProblems what the monitor stream saw wrong (version regressions, its end)
     * @param monitorStates states the monitor stream received
     */
    record Result(Map<String, Long> counts, long unexpected, List<String> unexpectedSamples,
            List<String> monitorProblems, long monitorStates) {

        long total() {
            return counts.values().stream().mapToLong(Long::longValue).sum();
        }

        /** A Markdown table of the counts. */
        String table() {
            StringBuilder table = new StringBuilder("| call / result | count |\n|---|---|\n");
            counts.forEach((key, count) -> table.append("| ").append(key).append(" | ").append(count).append(" |\n"));
            return table.toString();
        }
    }

    private static final long CALL_DEADLINE_SECONDS = 15;
    private static final int MAX_SAMPLES = 20;
    /** Stream cancellations one client makes per {@link #RST_WINDOW}: 3/4 of the server's limit. */
    static final int WATCH_CANCELS_PER_WINDOW = 150;
    private static final long RST_WINDOW = TimeUnit.SECONDS.toNanos(30);

    private final int port;
    private final int clients;
    private final Mix mix;
    private final long seed;
    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
    private final AtomicLong unexpected = new AtomicLong();
    private final List<String> samples = new CopyOnWriteArrayList<>();
    private final List<String> monitorProblems = new CopyOnWriteArrayList<>();
    private final AtomicLong monitorStates = new AtomicLong();

    GatewayLoad(int port, int clients, Mix mix, long seed) {
        this.port = port;
        this.clients = clients;
        this.mix = mix;
        this.seed = seed;
    }

    /** Runs the clients for {@code duration} and returns when every one has stopped. */
    Result run(Duration duration) throws InterruptedException {
        long deadline = System.nanoTime() + duration.toNanos();
        List<ManagedChannel> channels = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        ManagedChannel monitorChannel = channel();
        Context.CancellableContext monitor = startMonitor(monitorChannel);
        try {
            for (int i = 0; i < clients; i++) {
                ManagedChannel channel = channel();
                channels.add(channel);
                Client client = new Client(i, channel, new Random(seed + i), deadline);
                Thread thread = new Thread(client::loop, "load-client-" + i);
                threads.add(thread);
                thread.start();
            }
            for (Thread thread : threads) {
                thread.join(duration.toMillis() + TimeUnit.SECONDS.toMillis(CALL_DEADLINE_SECONDS * 2));
                if (thread.isAlive()) {
                    record(false, "client", thread.getName() + " did not stop");
                }
            }
        } finally {
            monitor.cancel(null);
            channels.forEach(ManagedChannel::shutdownNow);
            monitorChannel.shutdownNow();
        }
        Map<String, Long> totals = new TreeMap<>();
        counts.forEach((key, adder) -> totals.put(key, adder.sum()));
        return new Result(totals, unexpected.get(), List.copyOf(samples), List.copyOf(monitorProblems),
                monitorStates.get());
    }

    private ManagedChannel channel() {
        return ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    }

    private Context.CancellableContext startMonitor(ManagedChannel channel) {
        Context.CancellableContext context = Context.current().withCancellation();
        AtomicLong lastVersion = new AtomicLong(-1);
        context.run(() -> as(DrainControlGrpc.newStub(channel), TestTokens.READER)
                .watchState(WatchStateRequest.getDefaultInstance(), new StreamObserver<>() {
                    @Override
                    public void onNext(DrainState state) {
                        monitorStates.incrementAndGet();
                        long previous = lastVersion.getAndSet(state.getVersion());
                        if (state.getVersion() <= previous && monitorProblems.size() < MAX_SAMPLES) {
                            monitorProblems.add("version " + state.getVersion() + " after " + previous);
                        }
                    }

                    @Override
                    public void onError(Throwable t) {
                        if (!context.isCancelled()) {
                            monitorProblems.add("the monitor stream failed: " + Status.fromThrowable(t));
                        }
                    }

                    @Override
                    public void onCompleted() {
                        monitorProblems.add("the monitor stream ended while the gateway was running");
                    }
                }));
        return context;
    }

    private void record(boolean expected, String key, String detail) {
        counts.computeIfAbsent(key, k -> new LongAdder()).increment();
        if (!expected) {
            unexpected.incrementAndGet();
            if (samples.size() < MAX_SAMPLES) {
                samples.add(key + ": " + detail);
            }
        }
    }

    private static final Set<TurnOutcome> EXPECTED_OUTCOMES = Set.of(TurnOutcome.TURN_OUTCOME_COMPLETED,
            TurnOutcome.TURN_OUTCOME_REFUSED_DRAINING, TurnOutcome.TURN_OUTCOME_REFUSED_BUSY,
            TurnOutcome.TURN_OUTCOME_DEFERRED);

    /** One client: its own channel and random choices. */
    private final class Client {
        private final int number;
        private final Random random;
        private final long deadline;
        private final DrainControlGrpc.DrainControlBlockingStub control;
        private final DrainControlGrpc.DrainControlStub controlAsync;
        private final MessageGatewayGrpc.MessageGatewayBlockingStub gateway;
        private String lastDrainId = "";
        private long messages;
        /** When this client's last {@link #WATCH_CANCELS_PER_WINDOW} stream cancellations happened, oldest first. */
        private final ArrayDeque<Long> cancels = new ArrayDeque<>();

        Client(int number, ManagedChannel channel, Random random, long deadline) {
            this.number = number;
            this.random = random;
            this.deadline = deadline;
            this.control = as(DrainControlGrpc.newBlockingStub(channel), TestTokens.OPERATOR);
            this.controlAsync = as(DrainControlGrpc.newStub(channel), TestTokens.OPERATOR);
            this.gateway = as(MessageGatewayGrpc.newBlockingStub(channel), TestTokens.OPERATOR);
        }

        void loop() {
            while (System.nanoTime() < deadline) {
                int pick = random.nextInt(mix.total());
                if ((pick -= mix.handleMessage()) < 0) {
                    handleMessage();
                } else if ((pick -= mix.getState()) < 0) {
                    call("GetState", () -> remember(control().getState(GetStateRequest.getDefaultInstance())));
                } else if ((pick -= mix.watchState()) < 0) {
                    watchState();
                } else if ((pick -= mix.beginDrain()) < 0) {
                    BeginDrainRequest request = BeginDrainRequest.newBuilder().setReason("load " + number)
                            .setSuppressNotification(random.nextBoolean()).build();
                    call("BeginDrain", () -> remember(control().beginDrain(request)));
                } else {
                    cancelDrain();
                }
            }
        }

        private DrainControlGrpc.DrainControlBlockingStub control() {
            return control.withDeadlineAfter(CALL_DEADLINE_SECONDS, TimeUnit.SECONDS);
        }

        private void handleMessage() {
            // Half as many sessions as clients: two clients sometimes talk in one session (REFUSED_BUSY).
            // Every other message asks to be refused while paused, so drains both keep and refuse.
            InboundMessage message = InboundMessage.newBuilder()
                    .setSessionId("load-session-" + random.nextInt(Math.max(1, clients / 2)))
                    .setWhenPaused(messages % 2 == 0 ? WhenPaused.WHEN_PAUSED_REFUSE : WhenPaused.WHEN_PAUSED_DEFER)
                    .setChannel("#load").setText("message " + messages++ + " from client " + number).build();
            try {
                TurnOutcome outcome = gateway.withDeadlineAfter(CALL_DEADLINE_SECONDS, TimeUnit.SECONDS)
                        .handleMessage(message).getOutcome();
                record(EXPECTED_OUTCOMES.contains(outcome), "HandleMessage/" + outcome, "turn outcome " + outcome);
            } catch (StatusRuntimeException e) {
                record(false, "HandleMessage/" + e.getStatus().getCode(), String.valueOf(e.getStatus()));
            }
        }

        private void cancelDrain() {
            int pick = random.nextInt(4);
            String drainId = pick < 2 ? "" : pick == 2 ? lastDrainId : "d-00000000";
            CancelDrainRequest request = CancelDrainRequest.newBuilder().setDrainId(drainId).build();
            try {
                remember(control().cancelDrain(request));
                record(true, "CancelDrain/OK", "");
            } catch (StatusRuntimeException e) {
                boolean expected = !drainId.isEmpty() && e.getStatus().getCode() == Status.Code.FAILED_PRECONDITION;
                record(expected, "CancelDrain/" + e.getStatus().getCode(), String.valueOf(e.getStatus()));
            }
        }

        /** Opens a stream, waits for its first state (the current one), and leaves. */
        private void watchState() {
            long now = System.nanoTime();
            if (cancels.size() == WATCH_CANCELS_PER_WINDOW && now - cancels.peekFirst() < RST_WINDOW) {
                record(true, "WatchState/DEFERRED", "");
                return;
            }
            if (cancels.size() == WATCH_CANCELS_PER_WINDOW) {
                cancels.removeFirst();
            }
            cancels.addLast(now);
            CountDownLatch first = new CountDownLatch(1);
            AtomicReference<Status> failed = new AtomicReference<>();
            Context.CancellableContext context = Context.current().withCancellation();
            context.run(() -> controlAsync.watchState(WatchStateRequest.getDefaultInstance(), new StreamObserver<>() {
                @Override
                public void onNext(DrainState value) {
                    first.countDown();
                }

                @Override
                public void onError(Throwable t) {
                    if (!context.isCancelled()) {
                        failed.set(Status.fromThrowable(t));
                    }
                    first.countDown();
                }

                @Override
                public void onCompleted() {
                    failed.set(Status.UNKNOWN.withDescription("the stream ended before it was left"));
                    first.countDown();
                }
            }));
            try {
                boolean received = first.await(CALL_DEADLINE_SECONDS, TimeUnit.SECONDS);
                context.cancel(null);
                Status status = failed.get();
                if (status != null) {
                    record(false, "WatchState/" + status.getCode(), String.valueOf(status));
                } else {
                    record(received, received ? "WatchState/OK" : "WatchState/NO_FIRST_STATE",
                            "no state within " + CALL_DEADLINE_SECONDS + " s");
                }
            } catch (InterruptedException e) {
                context.cancel(e);
                Thread.currentThread().interrupt();
            }
        }

        private void call(String name, Runnable call) {
            try {
                call.run();
                record(true, name + "/OK", "");
            } catch (StatusRuntimeException e) {
                record(false, name + "/" + e.getStatus().getCode(), String.valueOf(e.getStatus()));
            }
        }

        private void remember(DrainState state) {
            if (state.hasDrain()) {
                lastDrainId = state.getDrain().getDrainId();
            }
        }
    }
}
