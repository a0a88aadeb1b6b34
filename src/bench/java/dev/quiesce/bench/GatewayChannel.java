package dev.quiesce.bench;

import dev.quiesce.api.v1.DrainControlGrpc;
import dev.quiesce.api.v1.MessageGatewayGrpc;
import grpc.health.v1.HealthGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.util.concurrent.TimeUnit;

/**
 * One plaintext (h2c) grpc-java Netty channel — one HTTP/2 connection — to an app's loopback port,
 * with a bearer token attached to every call (the bare peer ignores it). Callbacks run directly on
 * the channel's Netty event loop (no executor hand-off), which keeps the load generator's own cost
 * per call low and the same for every app measured. Thread-safe, as grpc-java channels and stubs are.
 */
final class GatewayChannel implements AutoCloseable {

    private static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private final ManagedChannel channel;
    private final DrainControlGrpc.DrainControlBlockingStub blocking;
    private final DrainControlGrpc.DrainControlStub async;
    private final MessageGatewayGrpc.MessageGatewayBlockingStub gateway;
    private final MessageGatewayGrpc.MessageGatewayStub gatewayAsync;
    private final HealthGrpc.HealthStub health;

    GatewayChannel(int port, String token) {
        this.channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().directExecutor().build();
        Metadata headers = new Metadata();
        headers.put(AUTHORIZATION, "Bearer " + token);
        var auth = MetadataUtils.newAttachHeadersInterceptor(headers);
        this.blocking = DrainControlGrpc.newBlockingStub(channel).withInterceptors(auth);
        this.async = DrainControlGrpc.newStub(channel).withInterceptors(auth);
        this.gateway = MessageGatewayGrpc.newBlockingStub(channel).withInterceptors(auth);
        this.gatewayAsync = MessageGatewayGrpc.newStub(channel).withInterceptors(auth);
        this.health = HealthGrpc.newStub(channel);
    }

    /** For unary control calls; give each call its own deadline. */
    DrainControlGrpc.DrainControlBlockingStub blocking() {
        return blocking;
    }

    /** For the WatchState stream and asynchronous GetState load. */
    DrainControlGrpc.DrainControlStub async() {
        return async;
    }

    /** HandleMessage, blocking (the ingress threads of the admission benchmark). */
    MessageGatewayGrpc.MessageGatewayBlockingStub gateway() {
        return gateway;
    }

    /** HandleMessage, asynchronous (closed-loop data-plane load). */
    MessageGatewayGrpc.MessageGatewayStub gatewayAsync() {
        return gatewayAsync;
    }

    /** grpc.health.v1 (no token needed). */
    HealthGrpc.HealthStub health() {
        return health;
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow();
        channel.awaitTermination(5, TimeUnit.SECONDS);
    }
}
