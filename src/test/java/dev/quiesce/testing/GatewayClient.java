package dev.quiesce.testing;

import dev.quiesce.api.v1.DrainControlGrpc;
import dev.quiesce.api.v1.DrainState;
import dev.quiesce.api.v1.GetStateRequest;
import dev.quiesce.api.v1.InboundMessage;
import dev.quiesce.api.v1.MessageGatewayGrpc;
import dev.quiesce.api.v1.TurnResult;
import io.grpc.Channel;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The application's gRPC API as a test drives it: messages (blocking, or started and awaited
 * later) and the drain control calls, each with a {@link TestTokens} token. Thread-safe.
 */
public final class GatewayClient {

    private static final AtomicInteger SESSIONS = new AtomicInteger();

    private final Channel channel;

    public GatewayClient(Channel channel) {
        this.channel = channel;
    }

    /** A session id no other test uses: {@code name} plus a counter. */
    public static String session(String name) {
        return name + "-" + SESSIONS.incrementAndGet();
    }

    /** A user message. */
    public static InboundMessage message(String sessionId, String text) {
        return InboundMessage.newBuilder().setSessionId(sessionId).setText(text).build();
    }

    /** An internal (system) message. */
    public static InboundMessage internalMessage(String sessionId, String text) {
        return message(sessionId, text).toBuilder().setInternal(true).build();
    }

    /** Starts a turn and returns at once; {@link #result} waits for it. The call gives up after 30 s. */
    public Future<TurnResult> send(TestTokens token, InboundMessage message) {
        return GrpcAuth.as(MessageGatewayGrpc.newFutureStub(channel), token)
                .withDeadlineAfter(30, TimeUnit.SECONDS)
                .handleMessage(message);
    }

    /** Runs a turn and waits for its result. */
    public TurnResult handle(TestTokens token, InboundMessage message) {
        return GrpcAuth.as(MessageGatewayGrpc.newBlockingStub(channel), token)
                .withDeadlineAfter(30, TimeUnit.SECONDS)
                .handleMessage(message);
    }

    /** The result of a turn started with {@link #send}, waiting up to 10 s. */
    public static TurnResult result(Future<TurnResult> turn) {
        try {
            return turn.get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the turn did not end with a result: " + e, e);
        }
    }

    /** DrainControl with the operator's token. */
    public DrainControlGrpc.DrainControlBlockingStub control() {
        return GrpcAuth.as(DrainControlGrpc.newBlockingStub(channel), TestTokens.OPERATOR);
    }

    /** The current state, through GetState. */
    public DrainState state() {
        return control().getState(GetStateRequest.getDefaultInstance());
    }
}
