package dev.quiesce.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quiesce.api.v1.CancelDrainRequest;
import dev.quiesce.api.v1.DrainControlGrpc;
import dev.quiesce.drain.BeginDrainCommand;
import dev.quiesce.drain.DrainAuditLog;
import dev.quiesce.drain.DrainStateBean;
import dev.quiesce.home.QuiesceHome;
import dev.quiesce.testing.FloodProfile;
import dev.quiesce.testing.RawGrpc;
import dev.quiesce.testing.RawHttp;
import dev.quiesce.testing.TestTokens;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Refused drain calls in {@code drain-audit.jsonl} of the running application, over gRPC and REST:
 * a refusal of auth is one line per call and kind per ten seconds however many were made (in an application start
 * of its own, {@link FloodProfile}, so no other test's refusals share the interval), a refusal of
 * the state one line per call whichever API made it, and none of them a drain in
 * {@code quiesce_drains_total}.
 */
@QuarkusTest
@TestProfile(FloodProfile.class)
class DrainCallAuditTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BEGIN = DrainControlGrpc.getBeginDrainMethod().getFullMethodName();
    private static final String CANCEL = DrainControlGrpc.getCancelDrainMethod().getFullMethodName();
    private static final String GET_STATE = DrainControlGrpc.getGetStateMethod().getFullMethodName();
    private static final int FLOOD = 50;

    @GrpcClient("audit")
    Channel channel;

    @Inject
    DrainStateBean state;

    @Inject
    QuiesceHome home;

    @AfterEach
    void leaveItRunning() {
        state.cancelDrain("audit-test", "");
    }

    @Test
    void aFloodOfAnonymousAndUnscopedDrainCallsIsOneLinePerCallAndKindPerTenSeconds() {
        int before = audit().size();
        double drains = drainsTotal();

        long start = System.nanoTime();
        for (int i = 0; i < FLOOD; i++) {
            assertThat(grpc(BEGIN, null, new byte[0])).isEqualTo(Status.Code.UNAUTHENTICATED);
            assertThat(RawHttp.request("POST", "/api/gateway/drain").header("content-type", "application/json")
                    .body("{\"action\": \"drain\"}").send(RestAssured.port).status()).isEqualTo(401);
            assertThat(grpc(CANCEL, TestTokens.READER.bearer(), new byte[0])).isEqualTo(Status.Code.PERMISSION_DENIED);
            assertThat(grpc(GET_STATE, null, new byte[0])).as("not a drain call").isEqualTo(Status.Code.UNAUTHENTICATED);
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        Map<String, List<JsonNode>> added = audit().subList(before, audit().size()).stream()
                .collect(Collectors.groupingBy(line -> line.path("event").asText() + " " + line.path("call").asText()
                        + " " + line.path("principal").asText() + " " + line.path("refusal").asText()));
        assertThat(added).containsOnlyKeys("refused BeginDrain anonymous unauthenticated",
                "refused POST /api/gateway/drain anonymous unauthenticated",
                "refused CancelDrain " + TestTokens.READER.principal + " permission_denied");
        // One line when the flood took less than ten seconds; one more for every ten seconds it took on a busy machine.
        long windows = 1 + took.dividedBy(DrainAuditLog.COALESCE_INTERVAL);
        added.forEach((key, lines) -> {
            assertThat(lines).as(key).hasSizeBetween(1, (int) windows);
            assertThat(lines.get(0).path("count").asLong()).as(key).isEqualTo(1);
            assertThat(lines.stream().mapToLong(line -> line.path("count").asLong()).sum()).as(key)
                    .isLessThanOrEqualTo(FLOOD);
            assertThat(lines).allSatisfy(line -> assertThat(line.path("detail").asText()).isNotBlank());
        });
        assertThat(drainsTotal()).as("refusals are no drains").isEqualTo(drains);
    }

    @Test
    void aRefusalOfTheStateIsOneLineWhicheverApiWasCalled() {
        String active = state.beginDrain(new BeginDrainCommand("audit-test", "audited", false, Duration.ofHours(1)))
                .drain().drainId();
        int before = audit().size();
        double drains = drainsTotal();

        assertThat(grpc(CANCEL, TestTokens.OPERATOR.bearer(),
                CancelDrainRequest.newBuilder().setDrainId("d-grpc-other").build().toByteArray()))
                .isEqualTo(Status.Code.FAILED_PRECONDITION);
        given().header("authorization", TestTokens.OPERATOR.bearer()).contentType(ContentType.JSON)
                .body("{\"action\": \"cancel\", \"drain_id\": \"d-rest-other\"}").post("/api/gateway/drain")
                .then().statusCode(409);

        List<JsonNode> added = audit().subList(before, audit().size());
        assertThat(added).extracting(line -> line.path("call").asText() + " " + line.path("principal").asText() + " "
                + line.path("refusal").asText()).containsExactly(
                        "CancelDrain " + TestTokens.OPERATOR.principal + " wrong_drain_id",
                        "CancelDrain " + TestTokens.OPERATOR.principal + " wrong_drain_id");
        assertThat(added.get(0).path("detail").asText()).contains("'d-grpc-other'", active);
        assertThat(added.get(1).path("detail").asText()).contains("'d-rest-other'", active);
        assertThat(drainsTotal()).as("refusals are no drains").isEqualTo(drains);
        assertThat(state.current().drain().drainId()).isEqualTo(active);
    }

    private Status.Code grpc(String method, String authorization, byte[] request) {
        try {
            RawGrpc.call(channel, method, authorization, request);
            return Status.Code.OK;
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode();
        }
    }

    private List<JsonNode> audit() {
        Path file = home.resolveFile(DrainAuditLog.FILE_NAME);
        List<JsonNode> lines = new ArrayList<>();
        try {
            if (Files.exists(file)) {
                for (String line : Files.readAllLines(file)) {
                    lines.add(JSON.readTree(line));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return lines;
    }

    /** All of {@code quiesce_drains_total}, every outcome. */
    private static double drainsTotal() {
        Matcher series = Pattern.compile("(?m)^quiesce_drains_total\\{[^}]*} (\\S+)$")
                .matcher(given().get("/q/metrics").then().statusCode(200).extract().asString());
        double sum = 0;
        while (series.find()) {
            sum += Double.parseDouble(series.group(1));
        }
        return sum;
    }
}
