package dev.quiesce.bench;

import dev.quiesce.api.v1.DrainState;
import dev.quiesce.api.v1.Phase;
import dev.quiesce.api.v1.WatchStateRequest;
import io.grpc.Context;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * One {@code WatchState} stream, opened once and kept open. Each state is stamped with
 * {@link System#nanoTime()} the moment grpc-java hands it to the observer, so the time the test
 * thread takes to look at it is not counted. Thread-safe: grpc-java's executor fills it, the
 * measurement thread drains it.
 */
final class StateStream implements AutoCloseable {

    /** One received state and when it arrived; {@code waiting}: the inbox's entries. */
    record Received(long arrivedNanos, Phase phase, long version, int waiting) {}

    private final BlockingQueue<Object> arrivals = new LinkedBlockingQueue<>();
    private final Context.CancellableContext context = Context.current().withCancellation();

    StateStream(GatewayChannel control) {
        context.run(() -> control.async().watchState(WatchStateRequest.getDefaultInstance(),
                new StreamObserver<>() {
                    @Override
                    public void onNext(DrainState state) {
                        arrivals.add(new Received(System.nanoTime(), state.getPhase(), state.getVersion(),
                                state.getInbox().getWaiting()));
                    }

                    @Override
                    public void onError(Throwable error) {
                        arrivals.add(error);
                    }

                    @Override
                    public void onCompleted() {
                        arrivals.add(new IllegalStateException("WatchState ended"));
                    }
                }));
    }

    /**
     * Waits for the next state in {@code phase}, skipping states in other phases.
     *
     * @return it, or null when none arrived within {@code timeoutNanos}
     * @throws IllegalStateException when the stream failed or ended
     */
    Received awaitPhase(Phase phase, long timeoutNanos) throws InterruptedException {
        return await(received -> received.phase() == phase, timeoutNanos);
    }

    /**
     * Waits for the next state that {@code wanted} accepts, skipping the others.
     *
     * @return it, or null when none arrived within {@code timeoutNanos}
     * @throws IllegalStateException when the stream failed or ended
     */
    Received await(Predicate<Received> wanted, long timeoutNanos) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutNanos;
        while (true) {
            long left = deadline - System.nanoTime();
            Object next = arrivals.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
            if (next == null) {
                return null;
            }
            if (next instanceof Throwable error) {
                throw new IllegalStateException("WatchState stream failed: " + error, error);
            }
            Received received = (Received) next;
            if (wanted.test(received)) {
                return received;
            }
        }
    }

    /** Drops states already received (e.g. stray versions between trials). */
    void discardPending() {
        Object next;
        while ((next = arrivals.poll()) != null) {
            if (next instanceof Throwable error) {
                throw new IllegalStateException("WatchState stream failed: " + error, error);
            }
        }
    }

    @Override
    public void close() {
        context.cancel(null);
    }
}
