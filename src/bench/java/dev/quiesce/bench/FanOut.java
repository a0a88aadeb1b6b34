package dev.quiesce.bench;

import com.google.protobuf.Duration;
import dev.quiesce.api.v1.BeginDrainRequest;
import dev.quiesce.api.v1.CancelDrainRequest;
import dev.quiesce.api.v1.DrainState;
import dev.quiesce.api.v1.Phase;
import dev.quiesce.api.v1.WatchStateRequest;
import io.grpc.Context;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * Measurement 5: {@code subscribers} concurrent WatchState streams (spread over several
 * connections, as many clients would be), then per trial a BeginDrain and the time until the last
 * subscriber has received a DRAINING state — and, the other way, a CancelDrain until the last has
 * RUNNING. Arrival is stamped in the gRPC callback on the client's event loop. Thread-safe as used:
 * callbacks write per-subscriber slots of the current trial; the measuring thread reads them after
 * the trial's latch.
 */
final class FanOut implements AutoCloseable {

    /** One trial: which phase every subscriber must see, and when each did. */
    private static final class Trial {
        final Phase phase;
        final long[] arrivals;
        final AtomicIntegerArray seen;
        final CountDownLatch all;

        Trial(Phase phase, int subscribers) {
            this.phase = phase;
            this.arrivals = new long[subscribers];
            this.seen = new AtomicIntegerArray(subscribers);
            this.all = new CountDownLatch(subscribers);
        }

        void offer(int subscriber, Phase received, long now) {
            if (received == phase && seen.compareAndSet(subscriber, 0, 1)) {
                arrivals[subscriber] = now;
                all.countDown();
            }
        }
    }

    /** Figures of all trials in one direction. */
    record Direction(LatencySamples last, LatencySamples median, LatencySamples call) {}

    private final GatewayChannel control;
    private final int subscribers;
    /** Server CPU (without the JIT) over the recorded trials, per drain + resume pair; NaN until run. */
    private double serverCpuMillisPerPair = Double.NaN;
    private final Context.CancellableContext streams = Context.current().withCancellation();
    private volatile Trial trial;

    /**
     * Opens the streams and waits until each has delivered its first (RUNNING) state.
     *
     * @param watchChannels the connections the streams are spread over
     * @param control the connection for BeginDrain/CancelDrain
     */
    FanOut(List<GatewayChannel> watchChannels, GatewayChannel control, int subscribers) throws InterruptedException {
        this.control = control;
        this.subscribers = subscribers;
        this.trial = new Trial(Phase.PHASE_RUNNING, subscribers);
        Trial first = trial;
        for (int i = 0; i < subscribers; i++) {
            int index = i;
            GatewayChannel channel = watchChannels.get(i % watchChannels.size());
            streams.run(() -> channel.async().watchState(WatchStateRequest.getDefaultInstance(),
                    new StreamObserver<>() {
                        @Override
                        public void onNext(DrainState state) {
                            trial.offer(index, state.getPhase(), System.nanoTime());
                        }

                        @Override
                        public void onError(Throwable t) {
                            // counted as a timeout by the trial it misses
                        }

                        @Override
                        public void onCompleted() {
                        }
                    }));
        }
        if (!first.all.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("only " + (subscribers - first.all.getCount()) + " of " + subscribers
                    + " WatchState streams delivered their first state within 60 s");
        }
    }

    /**
     * {@code warmup} unrecorded, then {@code trials} recorded drain/resume pairs; {@code server}'s
     * CPU time over the recorded ones is kept for {@link #serverCpuMillisPerPair()}.
     */
    Direction[] run(int warmup, int trials, AppProcess server) throws Exception {
        Direction drain = new Direction(new LatencySamples("BeginDrain → last subscriber DRAINING"),
                new LatencySamples("BeginDrain → median subscriber DRAINING"),
                new LatencySamples("BeginDrain round trip"));
        Direction resume = new Direction(new LatencySamples("CancelDrain → last subscriber RUNNING"),
                new LatencySamples("CancelDrain → median subscriber RUNNING"),
                new LatencySamples("CancelDrain round trip"));
        BeginDrainRequest begin = BeginDrainRequest.newBuilder().setReason("benchmark: fan-out")
                .setLease(Duration.newBuilder().setSeconds(600)).build();
        AppProcess.Cpu before = null;
        for (int i = 0; i < warmup + trials; i++) {
            boolean recorded = i >= warmup;
            if (i == warmup) {
                before = server.cpu();
            }
            String[] drainId = new String[1];
            once(Phase.PHASE_DRAINING, recorded ? drain : null, () -> {
                DrainState began = control.blocking().withDeadlineAfter(10, TimeUnit.SECONDS).beginDrain(begin);
                drainId[0] = began.getDrain().getDrainId();
            });
            once(Phase.PHASE_RUNNING, recorded ? resume : null, () -> control.blocking()
                    .withDeadlineAfter(10, TimeUnit.SECONDS)
                    .cancelDrain(CancelDrainRequest.newBuilder().setDrainId(drainId[0]).build()));
            Thread.sleep(20);
        }
        AppProcess.Cpu after = server.cpu();
        if (before != null && trials > 0) {
            serverCpuMillisPerPair = (after.appNanos() - before.appNanos()) / 1e6 / trials;
        }
        return new Direction[] {drain, resume};
    }

    /** The gateway's CPU time per recorded drain + resume pair (the 20 ms pauses between included). */
    double serverCpuMillisPerPair() {
        return serverCpuMillisPerPair;
    }

    private void once(Phase phase, Direction into, Runnable transition) throws InterruptedException {
        Trial current = new Trial(phase, subscribers);
        trial = current;
        long sent = System.nanoTime();
        transition.run();
        long replied = System.nanoTime();
        if (!current.all.await(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException((subscribers - current.all.getCount()) + " of " + subscribers
                    + " subscribers saw " + phase + " within 10 s");
        }
        if (into != null) {
            long[] arrivals = current.arrivals.clone();
            Arrays.sort(arrivals);
            into.last().add(arrivals[arrivals.length - 1] - sent);
            into.median().add(arrivals[(arrivals.length - 1) / 2] - sent);
            into.call().add(replied - sent);
        }
    }

    @Override
    public void close() {
        streams.cancel(null);
    }

    static List<LatencySamples> rows(Direction[] directions) {
        List<LatencySamples> rows = new ArrayList<>();
        for (Direction d : directions) {
            rows.add(d.last());
            rows.add(d.median());
            rows.add(d.call());
        }
        return rows;
    }
}
