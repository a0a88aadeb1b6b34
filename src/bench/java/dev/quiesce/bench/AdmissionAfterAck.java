package dev.quiesce.bench;

import com.google.protobuf.Duration;
import dev.quiesce.api.v1.BeginDrainRequest;
import dev.quiesce.api.v1.CancelDrainRequest;
import dev.quiesce.api.v1.DrainState;
import dev.quiesce.api.v1.GetStateRequest;
import dev.quiesce.api.v1.Phase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Measurement 1: turns that start after a drain request has been acknowledged, under full ingress
 * load ({@link IngressLoad}: client threads with their own sessions sending HandleMessage as fast as
 * the answers come).
 *
 * <p>The method is causal and needs no server-side instrumentation. Per toggle the harness records,
 * with the same monotonic clock as the ingress threads: when the request was acknowledged (the
 * BeginDrain reply received; or, for a drain requested by writing the marker file, the rename
 * returned — what a dashboard that writes the file takes as done) and when it next asked to resume
 * (CancelDrain sent; marker deleted). A HandleMessage call whose send time was taken after the
 * acknowledgement and whose answer arrived before the resume request was sent was handled by the
 * server strictly inside the drain, so if it answers COMPLETED a user turn started after the
 * requester was told the drain was in force. (Both bounds are needed: the send time is read just
 * before the call, and a client thread descheduled between the two may send much later — after
 * the resume — and rightly be admitted.) Calls sent before the acknowledgement may legitimately
 * start (the request was still on its way) and are counted separately; calls answered after the
 * resume request are not judged. Not thread-safe.
 */
final class AdmissionAfterAck {

    /** One design's figures. */
    record Exposure(
            String design,
            int toggles,
            LatencySamples inForce,
            long[] exposedPerToggle,
            long windowCalls,
            long windowRefused,
            long[] startedWhileRequestInFlight,
            long runningCalls,
            long runningRefused,
            long errors,
            double ingressPerSecond) {

        long exposedTotal() {
            return Arrays.stream(exposedPerToggle).sum();
        }
    }

    private static final long HOLD_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long GAP_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    private static final long REACTION_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final List<GatewayChannel> ingress;
    private final GatewayChannel control;
    private final int threads;

    /**
     * @param ingress the channels the ingress threads use (round robin)
     * @param control the channel for drain requests and the WatchState stream
     * @param threads ingress threads
     */
    AdmissionAfterAck(List<GatewayChannel> ingress, GatewayChannel control, int threads) {
        this.ingress = ingress;
        this.control = control;
        this.threads = threads;
    }

    /**
     * Quiesce's own path: BeginDrain, hold 10 ms, CancelDrain, 5 ms running, {@code toggles} times
     * after {@code warmup} unrecorded ones.
     */
    Exposure viaBeginDrain(int warmup, int toggles) throws InterruptedException {
        expectRunning();
        BeginDrainRequest begin = BeginDrainRequest.newBuilder().setReason("benchmark: admission after ack")
                .setLease(Duration.newBuilder().setSeconds(600)).build();
        long[][] windows = new long[toggles][4]; // begin sent, ack received, cancel sent, cancel acked
        LatencySamples inForce = new LatencySamples("BeginDrain round trip");
        IngressLoad load = new IngressLoad(ingress, threads, "admission-api");
        long started = System.nanoTime();
        load.start();
        IngressLoad.Calls calls;
        try {
            pause(100_000_000L); // the ingress threads get going
            for (int i = 0; i < warmup + toggles; i++) {
                long beginSent = System.nanoTime();
                DrainState began = control.blocking().withDeadlineAfter(10, TimeUnit.SECONDS).beginDrain(begin);
                long acked = System.nanoTime();
                expect(began, Phase.PHASE_DRAINING);
                pause(HOLD_NANOS);
                long cancelSent = System.nanoTime();
                DrainState cancelled = control.blocking().withDeadlineAfter(10, TimeUnit.SECONDS)
                        .cancelDrain(CancelDrainRequest.newBuilder().setDrainId(began.getDrain().getDrainId()).build());
                long cancelAcked = System.nanoTime();
                expect(cancelled, Phase.PHASE_RUNNING);
                pause(GAP_NANOS);
                if (i >= warmup) {
                    windows[i - warmup] = new long[] {beginSent, acked, cancelSent, cancelAcked};
                    inForce.add(acked - beginSent);
                }
            }
        } finally {
            calls = load.stop();
        }
        return analyse("Quiesce: BeginDrain over gRPC (gate closed before the reply)", windows, inForce, calls,
                System.nanoTime() - started);
    }

    /**
     * A drain requested the reference's way: another process writes the marker file (temp file,
     * fsync, rename) and later deletes it; the gateway notices through its file-system watch, or,
     * with the watch off, on its poll tick. Before each write the harness waits a random part of
     * {@code jitterMillis}, so the writes fall uniformly across the poll period.
     *
     * @param home the app's home directory
     */
    Exposure viaMarkerFile(String design, Path home, int warmup, int toggles, long jitterMillis)
            throws IOException, InterruptedException {
        DrainState start = expectRunning();
        Path marker = home.resolve(MarkerReaction.MARKER);
        Path temp = home.resolve(MarkerReaction.MARKER + ".bench.tmp");
        long[][] windows = new long[toggles][4]; // write started, rename returned, delete started, RUNNING seen
        LatencySamples inForce = new LatencySamples("marker renamed → WatchState DRAINING");
        IngressLoad load = new IngressLoad(ingress, threads, "admission-marker");
        long started = System.nanoTime();
        IngressLoad.Calls calls;
        try (StateStream stream = new StateStream(control)) {
            if (stream.awaitPhase(Phase.PHASE_RUNNING, REACTION_TIMEOUT_NANOS) == null) {
                throw new IllegalStateException("WatchState sent no first state within 5 s");
            }
            load.start();
            try {
                pause(100_000_000L);
                for (int i = 0; i < warmup + toggles; i++) {
                    if (jitterMillis > 0) {
                        pause(TimeUnit.MILLISECONDS.toNanos(ThreadLocalRandom.current().nextLong(jitterMillis)));
                    }
                    stream.discardPending();
                    long writeStarted = System.nanoTime();
                    MarkerReaction.writeDurably(temp, MarkerReaction.referenceBody(start.getEpoch()));
                    Files.move(temp, marker, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                    long written = System.nanoTime();
                    StateStream.Received draining = stream.awaitPhase(Phase.PHASE_DRAINING, REACTION_TIMEOUT_NANOS);
                    if (draining == null) {
                        throw new IllegalStateException("no DRAINING within 5 s of writing the marker");
                    }
                    pause(HOLD_NANOS);
                    long deleteStarted = System.nanoTime();
                    Files.delete(marker);
                    StateStream.Received running = stream.awaitPhase(Phase.PHASE_RUNNING, REACTION_TIMEOUT_NANOS);
                    if (running == null) {
                        throw new IllegalStateException("no RUNNING within 5 s of deleting the marker");
                    }
                    pause(GAP_NANOS);
                    if (i >= warmup) {
                        windows[i - warmup] = new long[] {writeStarted, written, deleteStarted, running.arrivedNanos()};
                        inForce.add(draining.arrivedNanos() - written);
                    }
                }
            } finally {
                calls = load.stop();
            }
        } finally {
            Files.deleteIfExists(temp);
            Files.deleteIfExists(marker);
        }
        return analyse(design, windows, inForce, calls, System.nanoTime() - started);
    }

    private static Exposure analyse(String design, long[][] windows, LatencySamples inForce, IngressLoad.Calls calls,
            long nanos) {
        int toggles = windows.length;
        long[] exposed = new long[toggles];
        long[] whileInFlight = new long[toggles];
        long windowCalls = 0;
        long windowRefused = 0;
        long runningCalls = 0;
        long runningRefused = 0;
        for (int i = 0; i < toggles; i++) {
            long[] w = windows[i];
            // Sent after the ack and answered before the resume request was sent: the server handled
            // the call strictly inside the drain.
            long[] inside = calls.count(w[1], w[2], w[2]);
            exposed[i] = inside[1];
            windowCalls += inside[0];
            windowRefused += inside[2];
            whileInFlight[i] = calls.countInside(w[0], w[1])[1];
            // Sent after the resume's acknowledgement and answered before the next request began:
            // the gate was open the whole time, so none may be refused as draining.
            long runningEnd = i + 1 < toggles ? windows[i + 1][0] : w[3] + GAP_NANOS;
            long[] running = calls.count(w[3], runningEnd, runningEnd);
            runningCalls += running[0];
            runningRefused += running[2];
        }
        long errors = 0;
        for (int outcome : calls.outcomes()) {
            if (outcome == IngressLoad.ERROR) {
                errors++;
            }
        }
        return new Exposure(design, toggles, inForce, exposed, windowCalls, windowRefused, whileInFlight,
                runningCalls, runningRefused, errors, calls.size() / (nanos / 1e9));
    }

    private DrainState expectRunning() {
        DrainState state = control.blocking().withDeadlineAfter(10, TimeUnit.SECONDS)
                .getState(GetStateRequest.getDefaultInstance());
        expect(state, Phase.PHASE_RUNNING);
        return state;
    }

    private static void expect(DrainState state, Phase phase) {
        if (state.getPhase() != phase) {
            throw new IllegalStateException("expected " + phase + ", got " + state.getPhase() + " (version "
                    + state.getVersion() + ")");
        }
    }

    private static void pause(long nanos) {
        long until = System.nanoTime() + nanos;
        long left;
        while ((left = until - System.nanoTime()) > 0) {
            LockSupport.parkNanos(left);
        }
    }

    /** Nearest-rank percentile of counts. */
    static long percentile(long[] values, double percent) {
        if (values.length == 0) {
            return 0;
        }
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(percent / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length, rank) - 1)];
    }

    /** The table rows of several designs, side by side. */
    static void render(Report.Section section, List<Exposure> designs) {
        Report.Table table = section.table("design", "toggles", "request → in force, median / p99 ms",
                "turns started after the ack, per toggle: median / p99 / max", "… in total",
                "calls sent after the ack and answered before the resume (refused)", "ingress calls/s",
                "turns started while the request was in flight, per toggle: median / p99");
        for (Exposure e : designs) {
            table.row(e.design(), e.toggles(),
                    Report.ms(e.inForce().medianMs()) + " / " + Report.ms(e.inForce().percentileMs(99)),
                    percentile(e.exposedPerToggle(), 50) + " / " + percentile(e.exposedPerToggle(), 99) + " / "
                            + percentile(e.exposedPerToggle(), 100),
                    "**" + e.exposedTotal() + "**",
                    e.windowCalls() + " (" + e.windowRefused() + ")",
                    Report.num(e.ingressPerSecond(), "%.0f"),
                    percentile(e.startedWhileRequestInFlight(), 50) + " / "
                            + percentile(e.startedWhileRequestInFlight(), 99));
        }
        List<String> notes = new ArrayList<>();
        for (Exposure e : designs) {
            notes.add(e.design() + ": " + e.runningCalls() + " calls made between drains, " + e.runningRefused()
                    + " of them refused as draining (must be 0: sent after the resume was acknowledged and answered "
                    + "before the next request began); "
                    + e.errors() + " calls failed with a gRPC error");
        }
        section.text("Sanity: " + String.join("; ", notes) + ".");
    }
}
