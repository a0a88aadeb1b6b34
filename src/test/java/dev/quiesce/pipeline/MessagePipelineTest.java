package dev.quiesce.pipeline;

import static dev.quiesce.testing.GatewayClient.internalMessage;
import static dev.quiesce.testing.GatewayClient.message;
import static dev.quiesce.testing.GatewayClient.result;
import static dev.quiesce.testing.GatewayClient.session;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.quiesce.api.v1.BeginDrainRequest;
import dev.quiesce.api.v1.CancelDrainRequest;
import dev.quiesce.api.v1.DrainState;
import dev.quiesce.api.v1.InFlightTurn;
import dev.quiesce.api.v1.Phase;
import dev.quiesce.api.v1.TurnOutcome;
import dev.quiesce.api.v1.TurnResult;
import dev.quiesce.testing.AgentBackend;
import dev.quiesce.testing.AgentBackendProfile;
import dev.quiesce.testing.GatewayClient;
import dev.quiesce.testing.InjectAgentBackend;
import dev.quiesce.testing.StateWatch;
import dev.quiesce.testing.TestTokens;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The accept gate with turns that take as long as the test wants: each turn waits on a real
 * {@link AgentBackend} until the test answers it. Real gRPC channel, real HTTP.
 */
@QuarkusTest
@TestProfile(AgentBackendProfile.class)
class MessagePipelineTest {

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
    void resume() {
        backend.releaseAll();
        gateway.control().cancelDrain(CancelDrainRequest.getDefaultInstance());
        await().until(() -> gateway.state().getInFlight() == 0 && pipeline.runningCount() == 0);
    }

    @Test
    void runningTurnsFinishUntouchedAndTheDrainIsDrainedExactlyWhenTheLastEnds() {
        String a = session("a");
        String b = session("b");
        try (StateWatch watch = StateWatch.open(channel, TestTokens.READER)) {
            Future<TurnResult> turnA = gateway.send(TestTokens.INGESTER, message(a, "question a"));
            Future<TurnResult> turnB = gateway.send(TestTokens.INGESTER, message(b, "question b"));
            AgentBackend.Request requestA = backend.awaitRequest(a);
            AgentBackend.Request requestB = backend.awaitRequest(b);

            DrainState begun = gateway.control().beginDrain(BeginDrainRequest.newBuilder().setReason("test").build());
            assertThat(begun.getPhase()).isEqualTo(Phase.PHASE_DRAINING);
            assertThat(begun.getInFlight()).isEqualTo(2);
            assertThat(begun.getDrained()).isFalse();
            assertThat(begun.getInFlightTurnsList()).extracting(InFlightTurn::getSessionId).containsExactlyInAnyOrder(a, b);

            requestA.reply("answer a");
            assertThat(result(turnA)).isEqualTo(completed("answer a", requestA));
            DrainState oneLeft = gateway.state();
            assertThat(oneLeft.getDrained()).isFalse();
            assertThat(oneLeft.getInFlightTurnsList()).extracting(InFlightTurn::getSessionId).containsExactly(b);

            requestB.reply("answer b");
            assertThat(result(turnB)).isEqualTo(completed("answer b", requestB));
            // No waiting: a turn's slot is released before its caller gets the answer.
            DrainState drained = gateway.state();
            assertThat(drained.getDrained()).isTrue();
            assertThat(drained.getInFlight()).isZero();
            assertThat(drained.getPhase()).isEqualTo(Phase.PHASE_DRAINING);

            DrainState firstDrained = watch.awaitState(DrainState::getDrained);
            assertThat(firstDrained.getVersion()).isGreaterThan(oneLeft.getVersion());
            assertThat(watch.received())
                    .filteredOn(s -> s.getPhase() == Phase.PHASE_DRAINING && s.getVersion() < firstDrained.getVersion())
                    .isNotEmpty()
                    .allSatisfy(s -> {
                        assertThat(s.getDrained()).isFalse();
                        assertThat(s.getInFlight()).isPositive();
                    });
        }
    }

    @Test
    void newUserTurnsAreRefusedWhileDrainingAndStartAgainAfterCancel() {
        String a = session("a");
        String c = session("c");
        Future<TurnResult> turnA = gateway.send(TestTokens.INGESTER, message(a, "question a"));
        AgentBackend.Request requestA = backend.awaitRequest(a);
        gateway.control().beginDrain(BeginDrainRequest.getDefaultInstance());

        TurnResult refused = gateway.handle(TestTokens.INGESTER, message(c, "hello?"));
        assertThat(refused.getOutcome()).isEqualTo(TurnOutcome.TURN_OUTCOME_REFUSED_DRAINING);
        assertThat(refused.getReply()).contains("maintenance").contains("send it again");
        assertThat(refused.getTurnId()).isEmpty();
        given().header("authorization", TestTokens.INGESTER.bearer()).contentType(ContentType.JSON)
                .body("{\"session_id\": \"" + c + "\", \"text\": \"hello?\"}").post("/api/messages")
                .then().statusCode(200)
                .body("outcome", equalTo("TURN_OUTCOME_REFUSED_DRAINING"))
                .body("reply", equalTo("")); // the chat was told once in this pause: nothing more to relay
        assertThat(backend.requests(c)).isEmpty();
        assertThat(gateway.state().getInFlight()).isEqualTo(1);

        requestA.reply("answer a");
        assertThat(result(turnA)).isEqualTo(completed("answer a", requestA));

        assertThat(gateway.control().cancelDrain(CancelDrainRequest.getDefaultInstance()).getPhase())
                .isEqualTo(Phase.PHASE_RUNNING);
        Future<TurnResult> turnC = gateway.send(TestTokens.INGESTER, message(c, "hello again"));
        AgentBackend.Request requestC = backend.awaitRequest(c);
        requestC.reply("hi");
        assertThat(result(turnC)).isEqualTo(completed("hi", requestC));
    }

    @Test
    void internalTurnsNeedScopeInternalStartWhileDrainingAndHoldTheDrainUntilTheyEnd() {
        String a = session("a");
        String job = session("job");
        Future<TurnResult> turnA = gateway.send(TestTokens.INGESTER, message(a, "question a"));
        AgentBackend.Request requestA = backend.awaitRequest(a);
        gateway.control().beginDrain(BeginDrainRequest.getDefaultInstance());

        assertThatThrownBy(() -> gateway.handle(TestTokens.INGESTER, internalMessage(job, "job done")))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
                    assertThat(e.getStatus().getDescription()).contains("internal");
                });
        given().header("authorization", TestTokens.INGESTER.bearer()).contentType(ContentType.JSON)
                .body("{\"session_id\": \"" + job + "\", \"text\": \"job done\", \"internal\": true}")
                .post("/api/messages")
                .then().statusCode(403).body("code", equalTo("PERMISSION_DENIED"))
                .body("error", containsString("internal"));
        assertThat(backend.requests(job)).isEmpty();

        Future<TurnResult> internal = gateway.send(TestTokens.OPERATOR, internalMessage(job, "job done"));
        AgentBackend.Request requestJob = backend.awaitRequest(job);
        assertThat(requestJob.body().getBoolean("internal")).isTrue();
        DrainState both = gateway.state();
        assertThat(both.getInFlight()).isEqualTo(2);
        assertThat(both.getInFlightTurnsList()).filteredOn(InFlightTurn::getInternal)
                .extracting(InFlightTurn::getSessionId).containsExactly(job);

        requestA.reply("answer a");
        assertThat(result(turnA).getOutcome()).isEqualTo(TurnOutcome.TURN_OUTCOME_COMPLETED);
        DrainState internalLeft = gateway.state();
        assertThat(internalLeft.getInFlight()).isEqualTo(1);
        assertThat(internalLeft.getDrained()).isFalse();

        requestJob.reply("noted");
        assertThat(result(internal)).isEqualTo(completed("noted", requestJob));
        assertThat(gateway.state().getDrained()).isTrue();
    }

    @Test
    void aSecondMessageForABusySessionIsRefusedBusyUntilTheFirstTurnEnds() {
        String s = session("busy");
        Future<TurnResult> first = gateway.send(TestTokens.INGESTER, message(s, "first"));
        AgentBackend.Request request = backend.awaitRequest(s);

        TurnResult second = gateway.handle(TestTokens.INGESTER, message(s, "second"));
        assertThat(second.getOutcome()).isEqualTo(TurnOutcome.TURN_OUTCOME_REFUSED_BUSY);
        assertThat(second.getReply()).isEqualTo(MessagePipeline.BUSY_REPLY);
        assertThat(second.getTurnId()).isEmpty();
        given().header("authorization", TestTokens.INGESTER.bearer()).contentType(ContentType.JSON)
                .body("{\"session_id\": \"" + s + "\", \"text\": \"third\"}").post("/api/messages")
                .then().statusCode(200).body("outcome", equalTo("TURN_OUTCOME_REFUSED_BUSY"));
        assertThat(backend.requests(s)).hasSize(1);
        assertThat(gateway.state().getInFlight()).isEqualTo(1);

        request.reply("first answer");
        assertThat(result(first)).isEqualTo(completed("first answer", request));
        Future<TurnResult> next = gateway.send(TestTokens.INGESTER, message(s, "next"));
        await().until(() -> backend.requests(s).size() == 2);
        AgentBackend.Request nextRequest = backend.requests(s).get(1);
        nextRequest.reply("next answer");
        assertThat(result(next)).isEqualTo(completed("next answer", nextRequest));
    }

    private static TurnResult completed(String reply, AgentBackend.Request request) {
        return TurnResult.newBuilder().setOutcome(TurnOutcome.TURN_OUTCOME_COMPLETED).setReply(reply)
                .setTurnId(request.body().getString("turn_id")).build();
    }
}
