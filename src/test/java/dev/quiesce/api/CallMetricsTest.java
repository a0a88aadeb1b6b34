package dev.quiesce.api;

import static dev.quiesce.testing.GatewayClient.message;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quiesce.api.v1.DrainControlGrpc;
import dev.quiesce.api.v1.GetStateRequest;
import dev.quiesce.api.v1.MessageGatewayGrpc;
import dev.quiesce.api.v1.TurnOutcome;
import dev.quiesce.testing.GatewayClient;
import dev.quiesce.testing.RawGrpc;
import dev.quiesce.testing.TestHome;
import dev.quiesce.testing.TestTokens;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Each call is metered once on {@code /q/metrics}, refused or not: gRPC calls by Micrometer's gRPC
 * interceptor ({@code grpc_server_*}, with the gRPC status code; {@code api.grpc.GrpcCallMetrics}),
 * REST calls by {@code @Timed} on their resource methods ({@code quiesce_rest_requests_seconds}). The
 * HTTP binder is off, so a gRPC call is not also timed as an HTTP request.
 */
@QuarkusTest
@WithTestResource(TestHome.class)
class CallMetricsTest {

    private static final String DURATION = "grpc_server_processing_duration_seconds_count";

    @GrpcClient("gateway")
    Channel channel;

    @Test
    void grpcCallsAreMeteredByMethodAndStatusAndNotAsHttpRequests() {
        GatewayClient gateway = new GatewayClient(channel);
        double handled = count("grpc_server_processing_duration_seconds_count", "method=\"HandleMessage\"",
                "statusCode=\"OK\"");
        double read = count("grpc_server_processing_duration_seconds_count", "method=\"GetState\"",
                "statusCode=\"OK\"");

        assertThat(gateway.handle(TestTokens.INGESTER, message("call-metrics-1", "one")).getOutcome())
                .isEqualTo(TurnOutcome.TURN_OUTCOME_COMPLETED);
        gateway.control().getState(GetStateRequest.getDefaultInstance());

        // A call is recorded as it closes, which may be just after its answer arrives here.
        await().untilAsserted(() -> {
            assertThat(count("grpc_server_processing_duration_seconds_count", "method=\"HandleMessage\"",
                    "statusCode=\"OK\"")).isEqualTo(handled + 1);
            assertThat(count("grpc_server_processing_duration_seconds_count", "method=\"GetState\"",
                    "statusCode=\"OK\"")).isEqualTo(read + 1);
        });
        assertThat(metrics()).doesNotContainPattern("(?m)^http_server_requests_seconds_count\\{");
    }

    @Test
    void everyCallTheGuardRefusesIsMeteredOnceWithItsStatus() {
        // Each method without a token, and with a token that lacks its scope.
        Map<String, TestTokens> methods = Map.of(
                DrainControlGrpc.getGetStateMethod().getFullMethodName(), TestTokens.INGESTER,
                DrainControlGrpc.getWatchStateMethod().getFullMethodName(), TestTokens.INGESTER,
                DrainControlGrpc.getBeginDrainMethod().getFullMethodName(), TestTokens.READER,
                DrainControlGrpc.getCancelDrainMethod().getFullMethodName(), TestTokens.INGESTER,
                MessageGatewayGrpc.getHandleMessageMethod().getFullMethodName(), TestTokens.DRAINER);
        Map<String, double[]> before = new HashMap<>();
        methods.keySet().forEach(method -> before.put(method, new double[] {
            count(DURATION, method(method), "statusCode=\"UNAUTHENTICATED\""),
            count(DURATION, method(method), "statusCode=\"PERMISSION_DENIED\""),
            count(DURATION, method(method))}));

        methods.forEach((method, wrongScope) -> {
            assertThat(refusal(method, null)).isEqualTo(Status.Code.UNAUTHENTICATED);
            assertThat(refusal(method, wrongScope.bearer())).isEqualTo(Status.Code.PERMISSION_DENIED);
        });

        await().untilAsserted(() -> methods.keySet().forEach(method -> {
            double[] was = before.get(method);
            assertThat(count(DURATION, method(method), "statusCode=\"UNAUTHENTICATED\"")).as(method).isEqualTo(was[0] + 1);
            assertThat(count(DURATION, method(method), "statusCode=\"PERMISSION_DENIED\"")).as(method)
                    .isEqualTo(was[1] + 1);
            assertThat(count(DURATION, method(method))).as("%s, every status", method).isEqualTo(was[2] + 2);
        }));
    }

    @Test
    void restCallsAreTimedByResourceMethod() {
        double state = count("quiesce_rest_requests_seconds_count", "method=\"getState\"");
        double messages = count("quiesce_rest_requests_seconds_count", "method=\"handle\"");

        given().header("authorization", TestTokens.READER.bearer()).get("/api/gateway/state").then().statusCode(200);
        given().header("authorization", TestTokens.INGESTER.bearer()).contentType("application/json")
                .body("{\"session_id\": \"call-metrics-rest\", \"channel\": \"test\", \"text\": \"hi\"}")
                .post("/api/messages").then().statusCode(200);

        // The message's timer stops when its Uni completes, which may be just after the answer is sent.
        await().untilAsserted(() -> {
            assertThat(count("quiesce_rest_requests_seconds_count", "method=\"getState\"",
                    "class=\"dev.quiesce.api.rest.DrainRestResource\"")).isEqualTo(state + 1);
            assertThat(count("quiesce_rest_requests_seconds_count", "method=\"handle\"",
                    "class=\"dev.quiesce.api.rest.MessageRestResource\"")).isEqualTo(messages + 1);
        });
        assertThat(metrics()).doesNotContainPattern("(?m)^http_server_requests_seconds_count\\{");
    }

    private Status.Code refusal(String fullMethodName, String authorization) {
        try {
            RawGrpc.call(channel, fullMethodName, authorization, new byte[0]);
            return Status.Code.OK;
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode();
        }
    }

    /** The label of a method's series, e.g. {@code method="GetState"}. */
    private static String method(String fullMethodName) {
        return "method=\"" + fullMethodName.substring(fullMethodName.indexOf('/') + 1) + "\"";
    }

    private static String metrics() {
        return given().get("/q/metrics").then().statusCode(200).extract().asString();
    }

    /** The sum of the series of {@code name} whose labels include every one of {@code labels}; 0 when none. */
    private static double count(String name, String... labels) {
        Matcher line = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{([^}]*)} (\\S+)$").matcher(metrics());
        double sum = 0;
        while (line.find()) {
            boolean all = true;
            for (String label : labels) {
                all &= line.group(1).contains(label);
            }
            if (all) {
                sum += Double.parseDouble(line.group(2));
            }
        }
        return sum;
    }
}
