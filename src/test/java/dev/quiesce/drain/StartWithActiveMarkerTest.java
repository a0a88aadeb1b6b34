package dev.quiesce.drain;

import dev.quiesce.api.v1.DrainControlGrpc;
import dev.quiesce.api.v1.DrainState;
import dev.quiesce.api.v1.GetStateRequest;
import dev.quiesce.api.v1.MarkerStatus;
import dev.quiesce.api.v1.Phase;
import dev.quiesce.home.IsoTimes;
import dev.quiesce.testing.TestHome;
import dev.quiesce.testing.TestTokens;
import grpc.health.v1.HealthGrpc;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse.ServingStatus;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

import static dev.quiesce.testing.GrpcAuth.as;
import static org.assertj.core.api.Assertions.assertThat;

/** A gateway restarted with an active same-epoch marker is draining from its very first answer. */
@QuarkusTest
@TestProfile(StartWithActiveMarkerTest.MarkerOnDisk.class)
class StartWithActiveMarkerTest {

    @GrpcClient("drain")
    DrainControlGrpc.DrainControlBlockingStub drain;

    @GrpcClient("drain")
    HealthGrpc.HealthBlockingStub health;

    @Test
    void firstAnswersAreDraining() {
        assertThat(health.check(HealthCheckRequest.getDefaultInstance()).getStatus())
                .isEqualTo(ServingStatus.NOT_SERVING);
        RestAssured.get("/q/health/ready").then().statusCode(503);
        DrainState state = as(drain, TestTokens.READER).getState(GetStateRequest.getDefaultInstance());
        assertThat(state.getPhase()).isEqualTo(Phase.PHASE_DRAINING);
        assertThat(state.getDrain().getDrainId()).isEqualTo("d-before-restart");
        assertThat(state.getMarker().getStatus()).isEqualTo(MarkerStatus.MARKER_STATUS_ACTIVE);
    }

    /** Writes a marker of this instantiation before the application starts. */
    public static class MarkerOnDisk implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(HomeWithMarker.class));
        }
    }

    public static class HomeWithMarker extends TestHome {
        @Override
        protected void prepare(Path home) throws IOException {
            Files.writeString(home.resolve(".drain_request.json"), "{\"action\": \"drain\", \"requested_at\": \""
                    + IsoTimes.format(Instant.now()) + "\", \"principal\": \"nas\", \"epoch\": \"" + EPOCH
                    + "\", \"suppress_notification\": false, \"drain_id\": \"d-before-restart\"}");
        }
    }
}
