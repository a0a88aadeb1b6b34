package dev.quiesce.health;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

import dev.quiesce.drain.BeginDrainCommand;
import dev.quiesce.drain.DrainStateBean;
import dev.quiesce.home.HomeWritability;
import dev.quiesce.home.QuiesceHome;
import dev.quiesce.testing.LogRecorder;
import dev.quiesce.testing.TestHome;
import dev.quiesce.testing.UnwritableDirs;
import grpc.health.v1.HealthGrpc;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse.ServingStatus;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the health endpoints tell probes, and what they leave in the log, in the running app. */
@QuarkusTest
@WithTestResource(TestHome.class)
class HealthReportingTest {

    @GrpcClient("probe")
    HealthGrpc.HealthBlockingStub health;

    @Inject
    DrainStateBean state;

    @Inject
    QuiesceHome home;

    @AfterEach
    void running() {
        state.cancelDrain("test", "");
    }

    @Test
    void aDrainIsLoggedOnceWhenReadinessGoesDownAndOnceWhenItComesBackNotOnEveryProbe() {
        try (LogRecorder library = LogRecorder.of("io.smallrye.health");
                LogRecorder ours = LogRecorder.of(DrainReadinessCheck.class)) {
            String drainId = state.beginDrain(new BeginDrainCommand("test", "probe noise", false, Duration.ZERO))
                    .drain().drainId();
            for (int probe = 0; probe < 5; probe++) {
                given().when().get("/q/health/ready").then().statusCode(503);
            }
            state.cancelDrain("test", "");
            given().when().get("/q/health/ready").then().statusCode(200);

            assertThat(library.messages(Level.INFO)).as("no health JSON per probe").isEmpty();
            assertThat(ours.messages(Level.INFO)).containsExactly(
                    "Readiness DOWN: phase DRAINING (drain " + drainId + "), 0 turn(s) in flight",
                    "Readiness UP: phase RUNNING");
        }
    }

    @Test
    void anUnwritableHomeIsInReadinessAndLivenessDataWhileTheDataPlaneStaysReady() {
        try (UnwritableDirs.Frozen frozen = UnwritableDirs.freeze(home.path());
                LogRecorder log = LogRecorder.expecting(HomeWritability.class)) {
            // Probed at most once a second: the first probe after the freeze says it.
            await().atMost(Duration.ofSeconds(30)).until(() -> Boolean.FALSE.equals(homeWritable()));

            given().when().get("/q/health/ready").then().statusCode(200)
                    .body("checks.find { it.name == 'quiesce-drain' }.data.home_error",
                            containsString(HomeWritability.PROBE_NAME));
            given().when().get("/q/health/live").then().statusCode(200)
                    .body("checks.find { it.name == 'quiesce-marker-watch' }.data.home_writable", is(false))
                    .body("checks.find { it.name == 'quiesce-marker-watch' }.data.home_error",
                            containsString(HomeWritability.PROBE_NAME));
            assertThat(log.messages(Level.WARNING)).singleElement().asString().contains("not writable");
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> Boolean.TRUE.equals(homeWritable()));
        given().when().get("/q/health/live").then().statusCode(200)
                .body("checks.find { it.name == 'quiesce-marker-watch' }.data.home_writable", is(true));
    }

    /** What readiness says of the home: writable, not, or nothing (null). */
    private static Boolean homeWritable() {
        return given().when().get("/q/health/ready").then().extract().jsonPath()
                .get("checks.find { it.name == 'quiesce-drain' }.data.home_writable");
    }

    @Test
    void aHealthCheckForAServiceTheGatewayDoesNotHaveIsNotFound() {
        assertThat(health.check(HealthCheckRequest.newBuilder().setService("").build()).getStatus())
                .isEqualTo(ServingStatus.SERVING);
        assertThat(health.check(HealthCheckRequest.newBuilder().setService(GrpcHealthPublisher.GATEWAY_SERVICE).build())
                .getStatus()).isEqualTo(ServingStatus.SERVING);

        assertThatThrownBy(() -> health.check(HealthCheckRequest.newBuilder().setService("no.such.Service").build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
                    assertThat(e.getStatus().getDescription()).contains("no.such.Service", "quiesce.v1.MessageGateway");
                });
    }
}
