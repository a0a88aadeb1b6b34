package dev.quiesce.deploy;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quiesce.testing.TestHome;
import grpc.health.v1.HealthGrpc;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse.ServingStatus;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/**
 * The endpoints the rendered manifests point Kubernetes and Prometheus at answer in the running
 * application (on the test port), as a running, undrained gateway answers them.
 * {@link KustomizeManifestTest} checks the ports against {@code quarkus.http.port}.
 */
@QuarkusTest
@WithTestResource(TestHome.class)
class ProbeEndpointsTest {

    @GrpcClient("probe")
    HealthGrpc.HealthBlockingStub health;

    private final GatewayPod pod = new GatewayPod(Manifests.render(Manifests.DEFAULT));

    @Test
    void livenessAndStartupProbePathsAnswerUp() {
        for (String probe : new String[] {"livenessProbe", "startupProbe"}) {
            String path = pod.gateway().path(probe).path("httpGet").path("path").asText();

            given().when().get(path).then().statusCode(200);
            assertThat(given().when().get(path).jsonPath().getString("status")).as(probe + " " + path).isEqualTo("UP");
        }
    }

    @Test
    void readinessProbeServiceIsServingWhileRunning() {
        JsonNode grpc = pod.gateway().path("readinessProbe").path("grpc");
        HealthCheckRequest request = HealthCheckRequest.newBuilder().setService(grpc.path("service").asText("")).build();

        assertThat(health.check(request).getStatus()).isEqualTo(ServingStatus.SERVING);
    }

    @Test
    void prometheusScrapePathServesMetrics() {
        String path = pod.templateMetadata().path("annotations").path("prometheus.io/path").asText();

        String body = given().when().get(path).then().statusCode(200).extract().asString();
        assertThat(body).contains("quiesce_phase");
    }
}
