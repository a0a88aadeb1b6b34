package dev.quiesce.testing;

import static org.awaitility.Awaitility.await;

import dev.quiesce.api.v1.DrainControlGrpc;
import dev.quiesce.api.v1.DrainState;
import dev.quiesce.api.v1.WatchStateRequest;
import io.grpc.Channel;
import io.grpc.Context;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/** A {@code WatchState} stream over a real channel, collecting what it receives until closed. */
public final class StateWatch implements AutoCloseable {

    private final List<DrainState> received = new CopyOnWriteArrayList<>();
    private final Context.CancellableContext context = Context.current().withCancellation();

    private StateWatch() {}

    /** Opens the stream and waits for its first state (the current one). */
    public static StateWatch open(Channel channel, TestTokens token) {
        StateWatch watch = new StateWatch();
        watch.context.run(() -> GrpcAuth.as(DrainControlGrpc.newStub(channel), token)
                .watchState(WatchStateRequest.getDefaultInstance(), new StreamObserver<>() {
                    @Override
                    public void onNext(DrainState value) {
                        watch.received.add(value);
                    }

                    @Override
                    public void onError(Throwable t) {}

                    @Override
                    public void onCompleted() {}
                }));
        await().until(() -> !watch.received.isEmpty());
        return watch;
    }

    /** What arrived so far, in order. */
    public List<DrainState> received() {
        return List.copyOf(received);
    }

    /** Waits for a state matching {@code condition} and returns the first such. */
    public DrainState awaitState(Predicate<DrainState> condition) {
        await().until(() -> received.stream().anyMatch(condition));
        return received.stream().filter(condition).findFirst().orElseThrow();
    }

    @Override
    public void close() {
        context.cancel(null);
    }
}
