package dev.quiesce.bench;

import com.google.protobuf.Duration;
import dev.quiesce.api.v1.BeginDrainRequest;
import dev.quiesce.api.v1.CancelDrainRequest;
import dev.quiesce.api.v1.DrainState;
import dev.quiesce.api.v1.GetStateRequest;
import dev.quiesce.api.v1.Phase;
import java.util.concurrent.TimeUnit;

/**
 * Measurement A: sequential BeginDrain → CancelDrain pairs from one client, timing each call's
 * round trip. A BeginDrain reply means the marker was written durably (temp file, fsync, rename,
 * directory fsync) and the gate closed; a CancelDrain reply means the marker was unlinked and the
 * directory fsynced. Not thread-safe.
 */
final class BeginDrainLatency {

    private static final long CALL_DEADLINE_SECONDS = 10;

    private final GatewayChannel control;

    BeginDrainLatency(GatewayChannel control) {
        this.control = control;
    }

    /**
     * Runs {@code warmup} unrecorded pairs, then {@code trials} recorded ones.
     *
     * @return the BeginDrain and CancelDrain samples, in that order
     * @throws IllegalStateException when a reply is not in the expected phase
     */
    LatencySamples[] run(int warmup, int trials) {
        DrainState start = control.blocking().withDeadlineAfter(CALL_DEADLINE_SECONDS, TimeUnit.SECONDS)
                .getState(GetStateRequest.getDefaultInstance());
        expect(start, Phase.PHASE_RUNNING, "before the first BeginDrain");
        LatencySamples begin = new LatencySamples("BeginDrain round trip");
        LatencySamples cancel = new LatencySamples("CancelDrain round trip");
        BeginDrainRequest request = BeginDrainRequest.newBuilder()
                .setReason("benchmark")
                .setLease(Duration.newBuilder().setSeconds(600))
                .build();
        for (int i = 0; i < warmup + trials; i++) {
            boolean recorded = i >= warmup;
            long t0 = System.nanoTime();
            DrainState began = control.blocking().withDeadlineAfter(CALL_DEADLINE_SECONDS, TimeUnit.SECONDS)
                    .beginDrain(request);
            long t1 = System.nanoTime();
            expect(began, Phase.PHASE_DRAINING, "after BeginDrain");
            CancelDrainRequest cancelRequest =
                    CancelDrainRequest.newBuilder().setDrainId(began.getDrain().getDrainId()).build();
            long t2 = System.nanoTime();
            DrainState cancelled = control.blocking().withDeadlineAfter(CALL_DEADLINE_SECONDS, TimeUnit.SECONDS)
                    .cancelDrain(cancelRequest);
            long t3 = System.nanoTime();
            expect(cancelled, Phase.PHASE_RUNNING, "after CancelDrain");
            if (recorded) {
                begin.add(t1 - t0);
                cancel.add(t3 - t2);
            }
        }
        return new LatencySamples[] {begin, cancel};
    }

    private static void expect(DrainState state, Phase phase, String when) {
        if (state.getPhase() != phase) {
            throw new IllegalStateException("expected " + phase + " " + when + ", got " + state.getPhase()
                    + " (version " + state.getVersion() + ")");
        }
    }
}
