package dev.quiesce.api.grpc;

import dev.quiesce.api.v1.InboundMessage;
import dev.quiesce.api.v1.MessageGatewayGrpc;
import dev.quiesce.api.v1.TurnOutcome;
import dev.quiesce.api.v1.TurnResult;
import dev.quiesce.drain.DrainStateBean;
import dev.quiesce.testing.GatewayClient;
import dev.quiesce.testing.TestHome;
import dev.quiesce.testing.TestTokens;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static dev.quiesce.testing.GatewayClient.internalMessage;
import static dev.quiesce.testing.GatewayClient.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** MessageGateway over a real gRPC channel, with the embedded echo handler. */
@QuarkusTest
@WithTestResource(TestHome.class)
class MessageGatewayGrpcTest {

    @GrpcClient("gateway")
    Channel channel;

    @Inject
    DrainStateBean state;

    @Test
    void aMessageIsAnsweredByTheEchoHandler() {
        TurnResult result = new GatewayClient(channel).handle(TestTokens.INGESTER, message("echo-1", "hello"));

        assertThat(result.getOutcome()).isEqualTo(TurnOutcome.TURN_OUTCOME_COMPLETED);
        assertThat(result.getReply()).isEqualTo("hello");
        assertThat(result.getTurnId()).isNotEmpty();
    }

    @Test
    void limitsAreInclusive() {
        String id = "x".repeat(256);
        String text = "é".repeat(32 * 1024); // 65536 bytes in UTF-8
        TurnResult result = new GatewayClient(channel).handle(TestTokens.INGESTER, InboundMessage.newBuilder()
                .setSessionId(id).setChannel(id).setMessageId(id).setText(text).build());

        assertThat(result.getOutcome()).isEqualTo(TurnOutcome.TURN_OUTCOME_COMPLETED);
        assertThat(result.getReply()).isEqualTo(text);
    }

    static Stream<Arguments> invalidMessages() {
        String tooLong = "x".repeat(257);
        return Stream.of(
                Arguments.of(message("", "hello"), "session_id is required"),
                Arguments.of(message("   ", "hello"), "session_id is required"),
                Arguments.of(message("s", ""), "text is required"),
                Arguments.of(message("s", "a".repeat(64 * 1024 + 1)), "text is 65537 bytes; at most 65536"),
                Arguments.of(message("s", "é".repeat(32 * 1024 + 1)), "text is 65538 bytes"),
                Arguments.of(message(tooLong, "hello"), "session_id is 257 characters; at most 256"),
                Arguments.of(message("s", "hello").toBuilder().setChannel(tooLong).build(), "channel is 257 characters"),
                Arguments.of(message("s", "hello").toBuilder().setMessageId(tooLong).build(),
                        "message_id is 257 characters"));
    }

    @ParameterizedTest
    @MethodSource("invalidMessages")
    void anInvalidMessageIsInvalidArgumentSayingWhatToFixAndStartsNothing(InboundMessage message, String description) {
        long version = state.current().version();

        assertStatus(() -> new GatewayClient(channel).handle(TestTokens.INGESTER, message),
                Status.Code.INVALID_ARGUMENT, description);

        assertThat(state.current().version()).isEqualTo(version);
        assertThat(state.current().inFlightCount()).isZero();
    }

    @Test
    void callsNeedScopeIngestAndInternalMessagesScopeInternal() {
        GatewayClient gateway = new GatewayClient(channel);
        long version = state.current().version();

        assertStatus(() -> MessageGatewayGrpc.newBlockingStub(channel).handleMessage(message("s", "hi")),
                Status.Code.UNAUTHENTICATED, "bearer");
        assertStatus(() -> gateway.handle(TestTokens.READER, message("s", "hi")), Status.Code.PERMISSION_DENIED, "ingest");
        assertStatus(() -> gateway.handle(TestTokens.INGESTER, internalMessage("s", "hi")),
                Status.Code.PERMISSION_DENIED, "lacks scope 'internal'");
        assertThat(state.current().version()).isEqualTo(version);

        assertThat(gateway.handle(TestTokens.OPERATOR, internalMessage("s", "hi")).getOutcome())
                .isEqualTo(TurnOutcome.TURN_OUTCOME_COMPLETED);
    }

    private static void assertStatus(Runnable call, Status.Code code, String descriptionPart) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(code);
            assertThat(e.getStatus().getDescription()).containsIgnoringCase(descriptionPart);
        });
    }
}
