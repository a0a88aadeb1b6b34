package dev.quiesce.pipeline;

import static dev.quiesce.testing.GatewayClient.message;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quiesce.api.v1.BeginDrainRequest;
import dev.quiesce.api.v1.CancelDrainRequest;
import dev.quiesce.api.v1.TurnOutcome;
import dev.quiesce.testing.GatewayClient;
import dev.quiesce.testing.TestHome;
import dev.quiesce.testing.TestTokens;
import io.grpc.Channel;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code quiesce_turns_total{outcome}} on {@code /q/metrics}. */
@QuarkusTest
@WithTestResource(TestHome.class)
class TurnMetricsTest {

    @GrpcClient("gateway")
    Channel channel;

    @Test
    void turnsAreCountedByOutcome() {
        GatewayClient gateway = new GatewayClient(channel);
        double completed = turns("completed");
        double refused = turns("refused_draining");

        gateway.handle(TestTokens.INGESTER, message("metrics-1", "one"));
        gateway.handle(TestTokens.INGESTER, message("metrics-2", "two"));
        gateway.control().beginDrain(BeginDrainRequest.getDefaultInstance());
        try {
            assertThat(gateway.handle(TestTokens.INGESTER, message("metrics-3", "three")).getOutcome())
                    .isEqualTo(TurnOutcome.TURN_OUTCOME_REFUSED_DRAINING);
        } finally {
            gateway.control().cancelDrain(CancelDrainRequest.getDefaultInstance());
        }

        assertThat(turns("completed")).isEqualTo(completed + 2);
        assertThat(turns("refused_draining")).isEqualTo(refused + 1);
        for (String outcome : new String[] {"refused_stopping", "refused_busy", "interrupted", "failed"}) {
            assertThat(turns(outcome)).as(outcome).isGreaterThanOrEqualTo(0);
        }
    }

    /** The value of {@code quiesce_turns_total{outcome="<outcome>"}}; fails when the series is missing. */
    private static double turns(String outcome) {
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        Matcher line = Pattern.compile("(?m)^quiesce_turns_total\\{[^}]*outcome=\"" + outcome + "\"[^}]*} (\\S+)$")
                .matcher(metrics);
        assertThat(line.find()).as("quiesce_turns_total{outcome=\"%s\"} on /q/metrics", outcome).isTrue();
        return Double.parseDouble(line.group(1));
    }
}
