package dev.quiesce.bench;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A closed-loop load generator over asynchronous grpc-java calls: {@code concurrency} slots, each
 * with exactly one call outstanding, issuing its next call from the previous call's completion
 * callback, for a fixed time. Throughput is the calls completed inside that time divided by it;
 * latency is each call's round trip from issue to completion. Thread-safe as used: each slot's
 * calls are sequential, so a slot's samples have one writer at a time.
 */
final class ClosedLoop {

    /** Starts one asynchronous call for {@code slot}; reports its end through {@code done}. */
    interface Call {
        void start(int slot, Completion done);
    }

    /** The end of one call. */
    interface Completion {
        /** @param ok false for a transport error or an unexpected answer */
        void completed(boolean ok);
    }

    /**
     * What one run measured. {@code serverCpuNanos} is the server process's CPU time meanwhile
     * without its JIT compiler threads, {@code jitCpuNanos} theirs (-1: unknown).
     */
    record Result(long calls, long errors, long nanos, LatencySamples latency, long serverCpuNanos, long jitCpuNanos) {
        double perSecond() {
            return calls / (nanos / 1e9);
        }

        /** Server CPU microseconds per completed call; NaN when unknown. */
        double serverCpuMicrosPerCall() {
            return serverCpuNanos < 0 || calls == 0 ? Double.NaN : serverCpuNanos / 1000.0 / calls;
        }
    }

    private ClosedLoop() {}

    /**
     * Runs the loop and waits for it.
     *
     * @throws IllegalStateException when the slots do not wind down within 30 s of the end
     */
    static Result run(String name, int concurrency, Duration duration, Call call) throws InterruptedException {
        return run(name, concurrency, duration, call, null);
    }

    /** Like {@link #run(String, int, Duration, Call)}, also measuring {@code server}'s CPU time. */
    static Result run(String name, int concurrency, Duration duration, Call call, AppProcess server)
            throws InterruptedException {
        AppProcess.Cpu cpuBefore = cpu(server);
        long start = System.nanoTime();
        long deadline = start + duration.toNanos();
        CountDownLatch finished = new CountDownLatch(concurrency);
        AtomicLong calls = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        Slot[] slots = new Slot[concurrency];
        for (int i = 0; i < concurrency; i++) {
            slots[i] = new Slot(i, name, deadline, call, calls, errors, finished);
        }
        for (Slot slot : slots) {
            slot.issue();
        }
        if (!finished.await(duration.toSeconds() + 30, TimeUnit.SECONDS)) {
            throw new IllegalStateException(name + ": calls still outstanding 30 s after the end");
        }
        AppProcess.Cpu cpuAfter = cpu(server);
        LatencySamples latency = new LatencySamples(name);
        for (Slot slot : slots) {
            latency.addAll(slot.samples);
        }
        boolean known = cpuBefore != null && cpuAfter != null;
        return new Result(calls.get(), errors.get(), deadline - start, latency,
                known ? cpuAfter.appNanos() - cpuBefore.appNanos() : -1,
                known ? cpuAfter.jitNanos() - cpuBefore.jitNanos() : -1);
    }

    private static AppProcess.Cpu cpu(AppProcess server) {
        try {
            return server == null ? null : server.cpu();
        } catch (java.io.IOException | RuntimeException e) {
            return null;
        }
    }

    private static final class Slot implements Completion {
        private final int index;
        private final long deadline;
        private final Call call;
        private final AtomicLong calls;
        private final AtomicLong errors;
        private final CountDownLatch finished;
        private final LatencySamples samples;
        private long issued;

        Slot(int index, String name, long deadline, Call call, AtomicLong calls, AtomicLong errors,
                CountDownLatch finished) {
            this.index = index;
            this.deadline = deadline;
            this.call = call;
            this.calls = calls;
            this.errors = errors;
            this.finished = finished;
            this.samples = new LatencySamples(name);
        }

        void issue() {
            issued = System.nanoTime();
            try {
                call.start(index, this);
            } catch (RuntimeException e) {
                errors.incrementAndGet();
                finished.countDown();
            }
        }

        @Override
        public void completed(boolean ok) {
            long now = System.nanoTime();
            if (now <= deadline) {
                if (ok) {
                    calls.incrementAndGet();
                    samples.add(now - issued);
                } else {
                    errors.incrementAndGet();
                }
                issue();
            } else {
                finished.countDown();
            }
        }
    }
}
