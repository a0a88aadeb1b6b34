package dev.quiesce.api.grpc;

import com.google.protobuf.Empty;
import com.google.protobuf.StringValue;
import dev.quiesce.api.DrainCallAudit;
import dev.quiesce.api.v1.BeginDrainRequest;
import dev.quiesce.api.v1.CancelDrainRequest;
import dev.quiesce.api.v1.Drain;
import dev.quiesce.api.v1.DrainControlGrpc;
import dev.quiesce.api.v1.DrainState;
import dev.quiesce.api.v1.GetStateRequest;
import dev.quiesce.api.v1.WatchStateRequest;
import dev.quiesce.auth.Authenticator;
import dev.quiesce.auth.TokenStore;
import dev.quiesce.drain.DrainAuditLog;
import dev.quiesce.home.QuiesceHome;
import grpc.health.v1.HealthGrpc;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import static dev.quiesce.testing.TestTokens.line;
import static dev.quiesce.testing.TestTokens.writeTokens;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The interceptor in a real grpc-java server over a loopback TCP channel. The services here are
 * test stand-ins bound only into this server (never CDI beans): each answers with the name of the
 * caller it finds through {@link GrpcCaller} and records that it was reached.
 */
class GrpcCallGuardTest {

    private static final String READER = "Bearer reader-token";
    private static final String DRAINER = "Bearer drainer-token";
    private static final String INGESTER = "Bearer ingester-token";
    private static final String OPERATOR = "Bearer operator-token";

    /** MessageGateway/HandleMessage with stand-in message types (its rule goes by the name alone), and a method no rule lists. */
    private static final MethodDescriptor<Empty, StringValue> HANDLE_MESSAGE = unary("quiesce.v1.MessageGateway/HandleMessage");
    private static final MethodDescriptor<Empty, StringValue> UNLISTED = unary("quiesce.v1.MessageGateway/Peek");

    @TempDir
    Path home;

    /** Full method names the services were reached by, in order. */
    private final List<String> reached = Collections.synchronizedList(new ArrayList<>());

    private Server server;
    private ManagedChannel channel;

    @BeforeEach
    void startServer() throws IOException {
        writeTokens(home,
                line("reader", "read", "reader-token"),
                line("drainer", "drain", "drainer-token"),
                line("ingester", "ingest", "ingester-token"),
                line("operator", "read,drain,ingest,internal", "operator-token"));
        GrpcCallGuard interceptor = new GrpcCallGuard(new Authenticator(TokenStore.open(home)),
                new DrainCallAudit(new DrainAuditLog(new QuiesceHome(home))));
        server = NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .addService(ServerInterceptors.intercept(DrainControlGrpc.bindService(new StandInDrainControl()), interceptor))
                .addService(ServerInterceptors.intercept(HealthGrpc.bindService(new StandInHealth()), interceptor))
                .addService(ServerInterceptors.intercept(standInMessageGateway(), interceptor))
                .build()
                .start();
        channel = Grpc.newChannelBuilderForAddress(InetAddress.getLoopbackAddress().getHostAddress(), server.getPort(),
                InsecureChannelCredentials.create()).build();
    }

    @AfterEach
    void stopServer() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void getStateAndWatchStateNeedScopeRead() {
        assertEquals("reader", drainControl(READER).getState(GetStateRequest.getDefaultInstance()).getDrain().getPrincipal());
        assertEquals("reader", drainControl(READER).watchState(WatchStateRequest.getDefaultInstance()).next()
                .getDrain().getPrincipal());

        assertRefused(Status.Code.PERMISSION_DENIED, "token of principal 'drainer' lacks scope 'read'",
                () -> drainControl(DRAINER).getState(GetStateRequest.getDefaultInstance()));
        assertRefused(Status.Code.PERMISSION_DENIED, "token of principal 'drainer' lacks scope 'read'",
                () -> drainControl(DRAINER).watchState(WatchStateRequest.getDefaultInstance()).next());
        assertEquals(List.of("quiesce.v1.DrainControl/GetState", "quiesce.v1.DrainControl/WatchState"), reached);
    }

    @Test
    void beginDrainAndCancelDrainNeedScopeDrain() {
        assertEquals("drainer", drainControl(DRAINER).beginDrain(BeginDrainRequest.getDefaultInstance()).getDrain().getPrincipal());
        assertEquals("drainer", drainControl(DRAINER).cancelDrain(CancelDrainRequest.getDefaultInstance()).getDrain().getPrincipal());

        assertRefused(Status.Code.PERMISSION_DENIED, "token of principal 'reader' lacks scope 'drain'",
                () -> drainControl(READER).beginDrain(BeginDrainRequest.getDefaultInstance()));
        assertRefused(Status.Code.PERMISSION_DENIED, "token of principal 'ingester' lacks scope 'drain'",
                () -> drainControl(INGESTER).cancelDrain(CancelDrainRequest.getDefaultInstance()));
        assertEquals(List.of("quiesce.v1.DrainControl/BeginDrain", "quiesce.v1.DrainControl/CancelDrain"), reached);
    }

    @Test
    void handleMessageNeedsScopeIngest() {
        assertEquals("ingester", call(HANDLE_MESSAGE, INGESTER).getValue());

        assertRefused(Status.Code.PERMISSION_DENIED, "token of principal 'reader' lacks scope 'ingest'",
                () -> call(HANDLE_MESSAGE, READER));
        assertEquals(List.of("quiesce.v1.MessageGateway/HandleMessage"), reached);
    }

    @Test
    void callWithoutTokenIsUnauthenticatedAndNeverReachesTheService() {
        assertRefused(Status.Code.UNAUTHENTICATED, "missing bearer token: send 'authorization: Bearer <token>'",
                () -> DrainControlGrpc.newBlockingStub(channel).getState(GetStateRequest.getDefaultInstance()));
        assertRefused(Status.Code.UNAUTHENTICATED, "missing bearer token",
                () -> DrainControlGrpc.newBlockingStub(channel).watchState(WatchStateRequest.getDefaultInstance()).next());

        assertEquals(List.of(), reached);
    }

    @Test
    void unknownTokenIsUnauthenticated() {
        assertRefused(Status.Code.UNAUTHENTICATED, "unknown bearer token",
                () -> drainControl("Bearer not-a-token").beginDrain(BeginDrainRequest.getDefaultInstance()));

        assertEquals(List.of(), reached);
    }

    @Test
    void malformedAuthorizationIsUnauthenticated() {
        assertRefused(Status.Code.UNAUTHENTICATED, "the authorization value is not a bearer token",
                () -> drainControl("Basic reader-token").getState(GetStateRequest.getDefaultInstance()));
        assertRefused(Status.Code.UNAUTHENTICATED, "the authorization value is not a bearer token",
                () -> drainControl("reader-token").getState(GetStateRequest.getDefaultInstance()));
        assertRefused(Status.Code.UNAUTHENTICATED, "empty bearer token",
                () -> drainControl("Bearer").getState(GetStateRequest.getDefaultInstance()));

        assertEquals(List.of(), reached);
    }

    @Test
    void refusalDescriptionNeverCarriesTheToken() {
        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
                () -> drainControl(READER).beginDrain(BeginDrainRequest.getDefaultInstance()));

        assertFalse(refused.getStatus().getDescription().contains("reader-token"), refused.getStatus().getDescription());
    }

    @Test
    void unlistedMethodOfAQuiesceServiceIsDeniedEvenWithEveryScope() {
        assertRefused(Status.Code.PERMISSION_DENIED, "no scope grants 'quiesce.v1.MessageGateway/Peek'",
                () -> call(UNLISTED, OPERATOR));

        assertEquals(List.of(), reached);
    }

    @Test
    void healthNeedsNoToken() {
        HealthCheckResponse response = HealthGrpc.newBlockingStub(channel).check(HealthCheckRequest.getDefaultInstance());

        assertEquals(HealthCheckResponse.ServingStatus.SERVING, response.getStatus());
        assertEquals(List.of("grpc.health.v1.Health/Check"), reached);
    }

    @Test
    void eachCallSeesItsOwnCallerInTheContext() {
        assertEquals("operator", drainControl(OPERATOR).getState(GetStateRequest.getDefaultInstance()).getDrain().getPrincipal());
        assertEquals("reader", drainControl(READER).getState(GetStateRequest.getDefaultInstance()).getDrain().getPrincipal());
        assertEquals("operator", call(HANDLE_MESSAGE, OPERATOR).getValue());
    }

    @Test
    void halfCloseWithoutARequestIsInvalidArgumentAndNeverReachesTheService() throws Exception {
        Status authenticated = halfCloseWithoutMessage(HANDLE_MESSAGE, INGESTER);
        Status open = halfCloseWithoutMessage(HealthGrpc.getCheckMethod(), null);

        assertEquals(Status.Code.INVALID_ARGUMENT, authenticated.getCode(), authenticated.toString());
        assertEquals("the request to quiesce.v1.MessageGateway/HandleMessage could not be decoded as a "
                + "google.protobuf.Empty (malformed or truncated protobuf, or a string field that is not UTF-8); "
                + "nothing was done. Send it with a client generated from proto/quiesce/v1", authenticated.getDescription());
        assertEquals(Status.Code.INVALID_ARGUMENT, open.getCode(), open.toString());
        assertTrue(open.getDescription().startsWith("the request to grpc.health.v1.Health/Check could not be decoded as a "
                + "grpc.health.v1.HealthCheckRequest"), open.getDescription());
        assertEquals(List.of(), reached);
    }

    @Test
    void authIsCheckedBeforeTheMissingRequest() throws Exception {
        Status refused = halfCloseWithoutMessage(HANDLE_MESSAGE, READER);

        assertEquals(Status.Code.PERMISSION_DENIED, refused.getCode(), refused.toString());
        assertEquals(List.of(), reached);
    }

    @Test
    void outsideACallThereIsNoCaller() {
        assertFalse(GrpcCaller.current().isPresent());
        assertThrows(IllegalStateException.class, GrpcCaller::principal);
    }

    private DrainControlGrpc.DrainControlBlockingStub drainControl(String authorization) {
        return withAuthorization(DrainControlGrpc.newBlockingStub(channel), authorization);
    }

    private StringValue call(MethodDescriptor<Empty, StringValue> method, String authorization) {
        Channel authorized = ClientInterceptors.intercept(channel, attach(authorization));
        return ClientCalls.blockingUnaryCall(authorized, method,
                CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), Empty.getDefaultInstance());
    }

    /** Starts a call and half-closes it without sending its request: what the transport does when the request does not decode. */
    private <Q, R> Status halfCloseWithoutMessage(MethodDescriptor<Q, R> method, String authorization) throws Exception {
        CompletableFuture<Status> closed = new CompletableFuture<>();
        ClientCall<Q, R> call = channel.newCall(method, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS));
        Metadata headers = new Metadata();
        if (authorization != null) {
            headers.put(GrpcCallGuard.AUTHORIZATION, authorization);
        }
        call.start(new ClientCall.Listener<>() {
            @Override
            public void onClose(Status status, Metadata trailers) {
                closed.complete(status);
            }
        }, headers);
        call.request(1);
        call.halfClose();
        return closed.get(10, TimeUnit.SECONDS);
    }

    private static <S extends AbstractStub<S>> S withAuthorization(S stub, String authorization) {
        return stub.withInterceptors(attach(authorization)).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    private static ClientInterceptor attach(String authorization) {
        Metadata headers = new Metadata();
        headers.put(GrpcCallGuard.AUTHORIZATION, authorization);
        return MetadataUtils.newAttachHeadersInterceptor(headers);
    }

    private static void assertRefused(Status.Code code, String descriptionStart, Executable call) {
        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, call);
        assertEquals(code, refused.getStatus().getCode(), refused.getStatus().toString());
        assertTrue(refused.getStatus().getDescription().startsWith(descriptionStart), refused.getStatus().getDescription());
    }

    private static MethodDescriptor<Empty, StringValue> unary(String fullMethodName) {
        return MethodDescriptor.<Empty, StringValue>newBuilder()
                .setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(fullMethodName)
                .setRequestMarshaller(ProtoUtils.marshaller(Empty.getDefaultInstance()))
                .setResponseMarshaller(ProtoUtils.marshaller(StringValue.getDefaultInstance()))
                .build();
    }

    private ServerServiceDefinition standInMessageGateway() {
        return ServerServiceDefinition.builder("quiesce.v1.MessageGateway")
                .addMethod(HANDLE_MESSAGE, ServerCalls.asyncUnaryCall((request, observer) -> answer(
                        HANDLE_MESSAGE.getFullMethodName(), observer,
                        () -> StringValue.of(GrpcCaller.principal().name()))))
                .addMethod(UNLISTED, ServerCalls.asyncUnaryCall((request, observer) -> answer(
                        UNLISTED.getFullMethodName(), observer, () -> StringValue.of("reached"))))
                .build();
    }

    /** Records the call, then answers with what {@code response} computes on the call's own thread. */
    private <T> void answer(String method, StreamObserver<T> observer, Supplier<T> response) {
        reached.add(method);
        observer.onNext(response.get());
        observer.onCompleted();
    }

    private static DrainState stateFor(String principal) {
        return DrainState.newBuilder().setDrain(Drain.newBuilder().setPrincipal(principal)).build();
    }

    /** Implements the generated service interface only (not the ImplBase, which Quarkus would index). */
    private final class StandInDrainControl implements DrainControlGrpc.AsyncService {
        @Override
        public void getState(GetStateRequest request, StreamObserver<DrainState> observer) {
            answer(DrainControlGrpc.getGetStateMethod().getFullMethodName(), observer,
                    () -> stateFor(GrpcCaller.principal().name()));
        }

        @Override
        public void watchState(WatchStateRequest request, StreamObserver<DrainState> observer) {
            answer(DrainControlGrpc.getWatchStateMethod().getFullMethodName(), observer,
                    () -> stateFor(GrpcCaller.principal().name()));
        }

        @Override
        public void beginDrain(BeginDrainRequest request, StreamObserver<DrainState> observer) {
            answer(DrainControlGrpc.getBeginDrainMethod().getFullMethodName(), observer,
                    () -> stateFor(GrpcCaller.principal().name()));
        }

        @Override
        public void cancelDrain(CancelDrainRequest request, StreamObserver<DrainState> observer) {
            answer(DrainControlGrpc.getCancelDrainMethod().getFullMethodName(), observer,
                    () -> stateFor(GrpcCaller.principal().name()));
        }
    }

    private final class StandInHealth implements HealthGrpc.AsyncService {
        @Override
        public void check(HealthCheckRequest request, StreamObserver<HealthCheckResponse> observer) {
            answer(HealthGrpc.getCheckMethod().getFullMethodName(), observer, () -> HealthCheckResponse.newBuilder()
                    .setStatus(HealthCheckResponse.ServingStatus.SERVING).build());
        }
    }
}
