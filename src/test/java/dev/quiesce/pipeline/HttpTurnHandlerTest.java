package dev.quiesce.pipeline;

import dev.quiesce.api.v1.InboundMessage;
import dev.quiesce.api.v1.TurnOutcome;
import dev.quiesce.api.v1.TurnResult;
import dev.quiesce.pipeline.TurnInfo;
import dev.quiesce.testing.AgentBackend;
import dev.quiesce.testing.AgentBackendProfile;
import dev.quiesce.testing.GatewayClient;
import dev.quiesce.testing.InjectAgentBackend;
import dev.quiesce.testing.TestTokens;
import io.grpc.Channel;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static dev.quiesce.testing.GatewayClient.message;
import static dev.quiesce.testing.GatewayClient.result;
import static dev.quiesce.testing.GatewayClient.session;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The {@code http} turn handler against a real local agent backend, through the real gRPC API. */
@QuarkusTest
@TestProfile(AgentBackendProfile.class)
class HttpTurnHandlerTest {

    private static final String HINT = "your task was cut off — message me again to resume";

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

    @AfterEach
    void releaseEverything() {
        backend.releaseAll();
        await().until(() -> gateway.state().getInFlight() == 0 && pipeline.runningCount() == 0);
    }

    @Test
    void theTurnIsPostedAsJsonAndTheBackendsReplyIsRelayed() {
        String s = session("weather");
        Future<TurnResult> turn = gateway.send(TestTokens.INGESTER, InboundMessage.newBuilder().setSessionId(s)
                .setChannel("slack:C024BE91L").setText("will it rain?").setMessageId("m-42").build());

        AgentBackend.Request request = backend.awaitRequest(s);
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.contentType()).startsWith("application/json");
        assertThat(request.body().fieldNames())
                .containsExactlyInAnyOrder("turn_id", "session_id", "channel", "text", "internal", "message_id");
        assertThat(request.body().getString("session_id")).isEqualTo(s);
        assertThat(request.body().getString("channel")).isEqualTo("slack:C024BE91L");
        assertThat(request.body().getString("text")).isEqualTo("will it rain?");
        assertThat(request.body().getBoolean("internal")).isFalse();
        assertThat(request.body().getString("message_id")).isEqualTo("m-42");
        String turnId = request.body().getString("turn_id");
        assertThat(gateway.state().getInFlightTurnsList()).singleElement()
                .satisfies(t -> assertThat(t.getTurnId()).isEqualTo(turnId));

        request.reply("Sunny all day.");
        assertThat(result(turn)).isEqualTo(TurnResult.newBuilder().setOutcome(TurnOutcome.TURN_OUTCOME_COMPLETED)
                .setReply("Sunny all day.").setTurnId(turnId).build());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "500 | {\"error\": \"model crashed\"}  | the agent backend answered HTTP 500",
        "404 | {\"reply\": \"not here\"}       | the agent backend answered HTTP 404",
        "200 | {\"answer\": \"wrong field\"}   | has no \"reply\" string",
        "200 | {\"reply\": 42}                 | has no \"reply\" string",
        "200 | not json                       | is not JSON"})
    void aBackendAnswerThatIsNotA2xxReplyFailsTheTurnWithAReplySayingSo(int status, String body, String why) {
        String s = session("broken");
        Future<TurnResult> turn = gateway.send(TestTokens.INGESTER, message(s, "hello"));
        AgentBackend.Request request = backend.awaitRequest(s);

        request.respond(status, body);

        TurnResult failed = result(turn);
        assertThat(failed.getOutcome()).isEqualTo(TurnOutcome.TURN_OUTCOME_FAILED);
        assertThat(failed.getReply()).startsWith("Sorry, I could not answer that").contains(why);
        assertThat(failed.getTurnId()).isEqualTo(request.body().getString("turn_id"));
        assertThat(gateway.state().getInFlight()).isZero();
    }

    @Test
    void interruptAllEndsAWaitingTurnWithTheHintAndCancelsItsBackendRequest() {
        String s = session("long-task");
        Future<TurnResult> turn = gateway.send(TestTokens.INGESTER, message(s, "refactor everything"));
        AgentBackend.Request request = backend.awaitRequest(s);

        List<TurnInfo> interrupted = pipeline.interruptAll(HINT);

        assertThat(interrupted).extracting(TurnInfo::sessionId).containsExactly(s);
        assertThat(result(turn)).isEqualTo(TurnResult.newBuilder().setOutcome(TurnOutcome.TURN_OUTCOME_INTERRUPTED)
                .setReply(HINT).setTurnId(request.body().getString("turn_id")).build());
        assertThat(gateway.state().getInFlight()).isZero();
        assertThat(pipeline.runningCount()).isZero();
        request.awaitConnectionClosed();
        assertThat(pipeline.interruptAll(HINT)).isEmpty();
    }

    @Test
    void aGrpcCallerThatGivesUpFreesTheSlotAndCancelsTheBackendRequest() {
        String s = session("impatient");
        Future<TurnResult> turn = gateway.send(TestTokens.INGESTER, message(s, "hello?"));
        AgentBackend.Request request = backend.awaitRequest(s);

        turn.cancel(true);

        await().until(() -> gateway.state().getInFlight() == 0);
        assertThat(pipeline.runningCount()).isZero();
        request.awaitConnectionClosed();
    }

    @Test
    void aRestCallerThatHangsUpFreesTheSlotAndCancelsTheBackendRequest() throws IOException {
        String s = session("rest-impatient");
        String body = "{\"session_id\": \"" + s + "\", \"text\": \"hello?\"}";
        AgentBackend.Request request;
        try (Socket socket = new Socket("localhost", RestAssured.port)) {
            socket.getOutputStream().write(("POST /api/messages HTTP/1.1\r\nhost: localhost\r\n"
                    + "authorization: " + TestTokens.INGESTER.bearer() + "\r\ncontent-type: application/json\r\n"
                    + "content-length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
            request = backend.awaitRequest(s);
        }

        await().until(() -> gateway.state().getInFlight() == 0);
        assertThat(pipeline.runningCount()).isZero();
        request.awaitConnectionClosed();
    }
}
