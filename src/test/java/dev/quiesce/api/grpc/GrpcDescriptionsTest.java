package dev.quiesce.api.grpc;

import com.google.protobuf.Empty;
import com.google.protobuf.StringValue;
import dev.quiesce.testing.RawH2;
import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServiceBridge;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The description rewrite on the transports themselves, with stand-in services: Vert.x's gRPC
 * server driven as Quarkus drives it on the unified port ({@link GrpcServiceBridge}), read both
 * over hand-written HTTP/2 ({@link RawH2}: the {@code grpc-message} bytes as sent) and by a
 * grpc-java client; and grpc-java's own server, as on the separate port. The application's wiring
 * is {@link ReadableDescriptionsTest}'s.
 */
class GrpcDescriptionsTest {

    /** Everything grpc-message escaping is about: ':' and '/', '%', non-ASCII, a control character. */
    private static final String DESCRIPTION = "drain_id 'd-50%: \u00e9\t' is not active; see /tmp/quiesce/home";
    private static final String ON_THE_WIRE = "drain_id 'd-50%25: %C3%A9%09' is not active; see /tmp/quiesce/home";

    private static final MethodDescriptor<Empty, StringValue> REFUSE = method("test.StandIn/Refuse",
            MethodDescriptor.MethodType.UNARY);
    private static final MethodDescriptor<Empty, StringValue> REFUSE_AFTER_A_MESSAGE = method(
            "test.StandIn/RefuseAfterAMessage", MethodDescriptor.MethodType.SERVER_STREAMING);
    private static final MethodDescriptor<Empty, StringValue> REFUSE_WITHOUT_A_DESCRIPTION = method(
            "test.StandIn/RefuseWithoutADescription", MethodDescriptor.MethodType.UNARY);

    private Vertx vertx;
    private Server netty;
    private ManagedChannel channel;

    @AfterEach
    void stop() throws InterruptedException {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (netty != null) {
            netty.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().join();
        }
    }

    @ParameterizedTest
    @CsvSource({
        "plain words: a/b (c), plain words: a/b (c)",
        "50%, 50%25",
        "\u00e9, %C3%A9",
        "~ and DEL \u007f, ~ and DEL %7F",
        "tab\there, tab%09here"})
    void encodingEscapesOnlyBytesOutsidePrintableAsciiAndThePercentSign(String description, String encoded) {
        assertThat(GrpcDescriptions.encode(description)).isEqualTo(encoded);
    }

    @Test
    void aTrailersOnlyRefusalCarriesTheDescriptionUnescapedButForWhatTheSpecEscapes() throws Exception {
        int port = startVertx();

        RawH2.Answer answer = RawH2.call(port, REFUSE.getFullMethodName(), Map.of(), false, new byte[0]);

        assertThat(answer.headers()).hasSize(1);
        assertThat(answer.grpcStatus()).isEqualTo("9");
        assertThat(answer.grpcMessage()).isEqualTo(ON_THE_WIRE);
        assertRefusedWithDescription(() -> ClientCalls.blockingUnaryCall(channel(port), REFUSE,
                CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), Empty.getDefaultInstance()));
    }

    @Test
    void aRefusalInTrailersAfterAMessageCarriesTheSameDescription() throws Exception {
        int port = startVertx();

        RawH2.Answer answer = RawH2.call(port, REFUSE_AFTER_A_MESSAGE.getFullMethodName(), Map.of(), false,
                new byte[0]);

        assertThat(answer.headers()).hasSize(2);
        assertThat(answer.headers().get(0)).doesNotContainKey("grpc-message");
        assertThat(answer.grpcStatus()).isEqualTo("9");
        assertThat(answer.grpcMessage()).isEqualTo(ON_THE_WIRE);
        Iterator<StringValue> stream = ClientCalls.blockingServerStreamingCall(channel(port), REFUSE_AFTER_A_MESSAGE,
                CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), Empty.getDefaultInstance());
        assertThat(stream.next().getValue()).isEqualTo("first");
        assertRefusedWithDescription(stream::next);
    }

    @Test
    void aRefusalWithoutADescriptionGetsNoneAdded() throws Exception {
        int port = startVertx();

        RawH2.Answer answer = RawH2.call(port, REFUSE_WITHOUT_A_DESCRIPTION.getFullMethodName(), Map.of(), false,
                new byte[0]);

        assertThat(answer.grpcStatus()).isEqualTo("9");
        assertThat(answer.grpcMessage()).isNull();
    }

    @Test
    void onGrpcJavasOwnServerTheDescriptionIsLeftToGrpcJava() throws Exception {
        netty = NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .addService(ServerInterceptors.intercept(standIn(), new GrpcDescriptions(true)))
                .build()
                .start();

        RawH2.Answer answer = RawH2.call(netty.getPort(), REFUSE.getFullMethodName(), Map.of(), false, new byte[0]);

        assertThat(answer.grpcMessage()).isEqualTo(ON_THE_WIRE);
        assertRefusedWithDescription(() -> ClientCalls.blockingUnaryCall(channel(netty.getPort()), REFUSE,
                CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), Empty.getDefaultInstance()));
    }

    /** A Vert.x HTTP server on a loopback port serving the stand-in through the interceptor. */
    private int startVertx() throws Exception {
        vertx = Vertx.vertx();
        GrpcServer grpc = GrpcServer.server(vertx);
        GrpcServiceBridge.bridge(ServerInterceptors.intercept(standIn(), new GrpcDescriptions(false))).bind(grpc);
        HttpServer http = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
                .requestHandler(grpc);
        return http.listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).actualPort();
    }

    private ManagedChannel channel(int port) {
        channel = Grpc.newChannelBuilderForAddress("127.0.0.1", port, InsecureChannelCredentials.create()).build();
        return channel;
    }

    private static void assertRefusedWithDescription(Runnable call) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
            assertThat(e.getStatus().getDescription()).isEqualTo(DESCRIPTION);
        });
    }

    private static ServerServiceDefinition standIn() {
        return ServerServiceDefinition.builder("test.StandIn")
                .addMethod(REFUSE, ServerCalls.asyncUnaryCall((request, observer) -> observer.onError(
                        Status.FAILED_PRECONDITION.withDescription(DESCRIPTION).asRuntimeException())))
                .addMethod(REFUSE_AFTER_A_MESSAGE, ServerCalls.asyncServerStreamingCall((request, observer) -> {
                    observer.onNext(StringValue.of("first"));
                    observer.onError(Status.FAILED_PRECONDITION.withDescription(DESCRIPTION).asRuntimeException());
                }))
                .addMethod(REFUSE_WITHOUT_A_DESCRIPTION, ServerCalls.asyncUnaryCall((request, observer) -> observer.onError(
                        Status.FAILED_PRECONDITION.asRuntimeException())))
                .build();
    }

    private static MethodDescriptor<Empty, StringValue> method(String fullMethodName,
            MethodDescriptor.MethodType type) {
        return MethodDescriptor.<Empty, StringValue>newBuilder()
                .setType(type)
                .setFullMethodName(fullMethodName)
                .setRequestMarshaller(ProtoUtils.marshaller(Empty.getDefaultInstance()))
                .setResponseMarshaller(ProtoUtils.marshaller(StringValue.getDefaultInstance()))
                .build();
    }
}
