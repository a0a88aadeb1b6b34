package dev.quiesce.pipeline;

import static dev.quiesce.testing.GatewayClient.message;
import static dev.quiesce.testing.GatewayClient.result;
import static dev.quiesce.testing.GatewayClient.session;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quiesce.api.v1.TurnOutcome;
import dev.quiesce.api.v1.TurnResult;
import dev.quiesce.testing.AgentBackend;
import dev.quiesce.testing.AgentBackendProfile;
import dev.quiesce.testing.GatewayClient;
import dev.quiesce.testing.InjectAgentBackend;
import dev.quiesce.testing.LogRecorder;
import dev.quiesce.testing.TestTokens;
import io.grpc.Channel;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.util.concurrent.Future;
import java.util.logging.Level;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The {@code http} turn handler when the backend is slow or gone ({@code quiesce.turn.http.timeout=1s}). */
@QuarkusTest
@TestProfile(AgentBackendProfile.ShortTimeout.class)
class HttpTurnHandlerTimeoutTest {

    @InjectAgentBackend
    AgentBackend backend;

    @GrpcClient("gateway")
    Channel channel;

    @Inject
    MessagePipeline pipeline;

    private GatewayClient gateway;

    @BeforeEach
    void connect() {
        gateway = new GatewayClient(channel);
    }

    @Test
    void aBackendThatDoesNotAnswerInTimeFailsTheTurnAndFreesItsSlot() {
        String s = session("slow");
        Future<TurnResult> turn = gateway.send(TestTokens.INGESTER, message(s, "hello"));
        AgentBackend.Request request = backend.awaitRequest(s); // and never answered

        TurnResult failed = result(turn);

        assertThat(failed.getOutcome()).isEqualTo(TurnOutcome.TURN_OUTCOME_FAILED);
        assertThat(failed.getReply()).contains("did not answer within 1s");
        assertThat(failed.getTurnId()).isEqualTo(request.body().getString("turn_id"));
        assertThat(gateway.state().getInFlight()).isZero();
        assertThat(pipeline.runningCount()).isZero();
        request.awaitConnectionClosed();
    }

    @Test
    void anUnreachableBackendFailsTheTurnInWordsWhileTheLogKeepsTheJavaDetail() {
        backend.stopListening(); // a real closed port
        try (LogRecorder log = LogRecorder.expecting(RunningTurn.class)) {
            TurnResult failed = gateway.handle(TestTokens.INGESTER, message(session("nobody-home"), "hello"));

            assertThat(failed.getOutcome()).isEqualTo(TurnOutcome.TURN_OUTCOME_FAILED);
            assertThat(failed.getReply()).isEqualTo("Sorry, I could not answer that: the agent backend could not be "
                    + "reached (connection refused). Please try again.");
            assertThat(failed.getTurnId()).isNotEmpty();
            assertThat(gateway.state().getInFlight()).isZero();
            assertThat(log.messages(Level.WARNING)).singleElement().asString()
                    .contains(failed.getTurnId(), "java.net.ConnectException")
                    .doesNotContain("hello");
        } finally {
            backend.resumeListening();
        }
    }
}
