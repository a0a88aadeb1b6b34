package dev.quiesce.bench;

import dev.quiesce.api.v1.DrainState;
import dev.quiesce.api.v1.GetStateRequest;
import dev.quiesce.api.v1.Phase;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.List;

/**
 * Measurement 4: GetState latency and throughput with N concurrent callers (closed loop, loopback),
 * beside the same app's {@code grpc.health.v1.Health/Check} — the cheapest unary call Quarkus
 * serves on the same port, with no token and no mapping — as the framework's peer. Not thread-safe.
 */
final class ControlPlane {

    private static final GetStateRequest GET_STATE = GetStateRequest.getDefaultInstance();
    private static final HealthCheckRequest CHECK = HealthCheckRequest.newBuilder().setService("").build();

    private final AppProcess app;
    private final List<GatewayChannel> channels;

    ControlPlane(AppProcess app, List<GatewayChannel> channels) {
        this.app = app;
        this.channels = channels;
    }

    /**
     * Unrecorded GetState and Check load in 5 s steps until the gateway's JIT compiler used under
     * 100 ms of CPU in a step, or {@code max} has passed.
     *
     * @return how long it took
     */
    Duration warmUp(int concurrency, Duration max) throws InterruptedException {
        Duration step = Duration.ofSeconds(5);
        Duration spent = Duration.ZERO;
        while (spent.compareTo(max) < 0) {
            long jit = getState(concurrency, step).jitCpuNanos() + healthCheck(concurrency, step).jitCpuNanos();
            spent = spent.plus(step.multipliedBy(2));
            if (jit >= 0 && jit < 100_000_000L) {
                break;
            }
        }
        return spent;
    }

    ClosedLoop.Result getState(int concurrency, Duration duration) throws InterruptedException {
        return ClosedLoop.run("GetState", concurrency, duration, (slot, done) ->
                channels.get(slot % channels.size()).async().getState(GET_STATE, new StreamObserver<>() {
                    private boolean ok;

                    @Override
                    public void onNext(DrainState state) {
                        ok = state.getPhase() == Phase.PHASE_RUNNING;
                    }

                    @Override
                    public void onError(Throwable t) {
                        done.completed(false);
                    }

                    @Override
                    public void onCompleted() {
                        done.completed(ok);
                    }
                }), app);
    }

    ClosedLoop.Result healthCheck(int concurrency, Duration duration) throws InterruptedException {
        return ClosedLoop.run("Health/Check", concurrency, duration, (slot, done) ->
                channels.get(slot % channels.size()).health().check(CHECK, new StreamObserver<>() {
                    private boolean ok;

                    @Override
                    public void onNext(HealthCheckResponse response) {
                        ok = response.getStatus() == HealthCheckResponse.ServingStatus.SERVING;
                    }

                    @Override
                    public void onError(Throwable t) {
                        done.completed(false);
                    }

                    @Override
                    public void onCompleted() {
                        done.completed(ok);
                    }
                }), app);
    }
}
