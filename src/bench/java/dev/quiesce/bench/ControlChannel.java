package dev.quiesce.bench;

import dev.quiesce.api.v1.DrainControlGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.util.concurrent.TimeUnit;

/**
 * One plaintext (h2c) grpc-java Netty channel to the gateway's loopback port, with the operator's
 * bearer token attached to every call. Thread-safe, as grpc-java channels and stubs are.
 */
final class ControlChannel implements AutoCloseable {

    private static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private final ManagedChannel channel;
    private final DrainControlGrpc.DrainControlBlockingStub blocking;
    private final DrainControlGrpc.DrainControlStub async;

    ControlChannel(int port, String token) {
        this.channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        Metadata headers = new Metadata();
        headers.put(AUTHORIZATION, "Bearer " + token);
        var auth = MetadataUtils.newAttachHeadersInterceptor(headers);
        this.blocking = DrainControlGrpc.newBlockingStub(channel).withInterceptors(auth);
        this.async = DrainControlGrpc.newStub(channel).withInterceptors(auth);
    }

    /** For unary calls; give each call its own deadline. */
    DrainControlGrpc.DrainControlBlockingStub blocking() {
        return blocking;
    }

    /** For the WatchState stream. */
    DrainControlGrpc.DrainControlStub async() {
        return async;
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow();
        channel.awaitTermination(5, TimeUnit.SECONDS);
    }
}
