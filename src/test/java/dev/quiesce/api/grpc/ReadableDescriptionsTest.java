package dev.quiesce.api.grpc;

import dev.quiesce.api.v1.CancelDrainRequest;
import dev.quiesce.api.v1.DrainControlGrpc;
import dev.quiesce.drain.BeginDrainCommand;
import dev.quiesce.drain.DrainStateBean;
import dev.quiesce.testing.RawGrpc;
import dev.quiesce.testing.RawH2;
import dev.quiesce.testing.TestHome;
import dev.quiesce.testing.TestTokens;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Descriptions as the running application sends them on its one port: the {@code grpc-message}
 * bytes read over hand-written HTTP/2 ({@link RawH2}) keep {@code :} and {@code /} as they are
 * (so grpc-js, which decodes with {@code decodeURI}, shows them), and a grpc-java client reads the
 * same description as before. Two refusals from the call guard (no token, a request that does not
 * decode), one from a service running on a worker thread.
 */
@QuarkusTest
@WithTestResource(TestHome.class)
class ReadableDescriptionsTest {

    private static final String GET_STATE = DrainControlGrpc.getGetStateMethod().getFullMethodName();
    private static final String CANCEL = DrainControlGrpc.getCancelDrainMethod().getFullMethodName();

    @GrpcClient("drain")
    Channel channel;

    @Inject
    DrainStateBean state;

    @AfterEach
    void leaveItRunning() {
        state.cancelDrain("descriptions-test", "");
    }

    @Test
    void theCallGuardsRefusalsKeepColonsAndSlashesAsTheyAre() {
        String unauthenticated = "missing bearer token: send 'authorization: Bearer <token>'";
        String undecodable = GrpcCallGuard.undecodable(DrainControlGrpc.getGetStateMethod());
        byte[] garbage = {0x0F, 0x0F};
        Map<String, String> reader = Map.of("authorization", TestTokens.READER.bearer());

        RawH2.Answer refused = RawH2.call(RestAssured.port, GET_STATE, Map.of(), false, new byte[0]);
        RawH2.Answer invalid = RawH2.call(RestAssured.port, GET_STATE, reader, false, garbage);

        assertThat(refused.grpcStatus()).isEqualTo("16");
        assertThat(refused.grpcMessage()).isEqualTo(unauthenticated).contains(":").doesNotContain("%");
        assertThat(invalid.grpcStatus()).isEqualTo("3");
        assertThat(invalid.grpcMessage()).isEqualTo(undecodable).contains("/").doesNotContain("%");
        assertThatThrownBy(() -> RawGrpc.call(channel, GET_STATE, null, new byte[0]))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
                    assertThat(e.getStatus().getDescription()).isEqualTo(unauthenticated);
                });
        assertThatThrownBy(() -> RawGrpc.call(channel, GET_STATE, TestTokens.READER.bearer(), garbage))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).isEqualTo(undecodable);
                });
    }

    @Test
    void aServiceRefusalEscapesOnlyPercentNonAsciiAndControlBytes() {
        String active = state.beginDrain(new BeginDrainCommand("descriptions-test", "", false, Duration.ofHours(1)))
                .drain().drainId();
        String wrong = "d-50%: \u00e9\t/x";
        byte[] request = CancelDrainRequest.newBuilder().setDrainId(wrong).build().toByteArray();
        String description = "drain_id '" + wrong + "' is not the active drain; the active drain_id is '" + active
                + "' (send it, or an empty drain_id to cancel any drain)";

        RawH2.Answer answer = RawH2.call(RestAssured.port, CANCEL,
                Map.of("authorization", TestTokens.OPERATOR.bearer()), false, request);

        assertThat(answer.grpcStatus()).isEqualTo("9");
        assertThat(answer.grpcMessage()).isEqualTo("drain_id 'd-50%25: %C3%A9%09/x' is not the active drain; "
                + "the active drain_id is '" + active + "' (send it, or an empty drain_id to cancel any drain)");
        assertThatThrownBy(() -> RawGrpc.call(channel, CANCEL, TestTokens.OPERATOR.bearer(), request))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
                    assertThat(e.getStatus().getDescription()).isEqualTo(description);
                });
        assertThat(state.current().drain().drainId()).isEqualTo(active);
    }
}
