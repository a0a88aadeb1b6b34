package dev.quiesce.api.grpc;

import com.google.protobuf.Duration;
import dev.quiesce.api.v1.BeginDrainRequest;
import dev.quiesce.api.v1.CancelDrainRequest;
import dev.quiesce.api.v1.DrainControlGrpc;
import dev.quiesce.api.v1.DrainState;
import dev.quiesce.api.v1.GetStateRequest;
import dev.quiesce.api.v1.IgnoredReason;
import dev.quiesce.api.v1.MarkerStatus;
import dev.quiesce.api.v1.Phase;
import dev.quiesce.api.v1.WatchStateRequest;
import dev.quiesce.home.IsoTimes;
import dev.quiesce.home.QuiesceHome;
import dev.quiesce.testing.TestHome;
import dev.quiesce.testing.TestTokens;
import dev.quiesce.testing.UnwritableDirs;
import grpc.health.v1.HealthGrpc;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse.ServingStatus;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static dev.quiesce.testing.GrpcAuth.as;
import static dev.quiesce.testing.GrpcAuth.withHeader;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** DrainControl over a real gRPC channel against the real application and real files. */
@QuarkusTest
@WithTestResource(TestHome.class)
class DrainControlGrpcTest {

    @GrpcClient("drain")
    DrainControlGrpc.DrainControlBlockingStub blocking;

    @GrpcClient("drain")
    io.grpc.Channel channel;

    @GrpcClient("drain")
    HealthGrpc.HealthBlockingStub health;

    @Inject
    QuiesceHome home;

    private DrainControlGrpc.DrainControlBlockingStub operator() {
        return as(blocking, TestTokens.OPERATOR);
    }

    private Path marker() {
        return home.resolveFile(".drain_request.json");
    }

    @AfterEach
    void resume() throws IOException {
        operator().cancelDrain(CancelDrainRequest.getDefaultInstance());
        Files.deleteIfExists(marker());
        await().until(() -> operator().getState(GetStateRequest.getDefaultInstance()).getPhase() == Phase.PHASE_RUNNING);
    }

    @Test
    void beginDrainDrainsAtOnceAndCancelResumes() throws IOException {
        DrainState begun = operator().beginDrain(BeginDrainRequest.newBuilder().setReason("image migration").build());

        assertThat(begun.getPhase()).isEqualTo(Phase.PHASE_DRAINING);
        assertThat(begun.getDrained()).isTrue();
        assertThat(begun.getDrain().getPrincipal()).isEqualTo(TestTokens.OPERATOR.principal);
        assertThat(begun.getDrain().getSource()).isEqualTo("api");
        assertThat(begun.getMarker().getStatus()).isEqualTo(MarkerStatus.MARKER_STATUS_ACTIVE);
        assertThat(Files.readString(marker())).contains(begun.getDrain().getDrainId());

        DrainState again = operator().beginDrain(BeginDrainRequest.newBuilder().setReason("renewed").build());
        assertThat(again.getDrain().getDrainId()).isEqualTo(begun.getDrain().getDrainId());
        assertThat(again.getDrain().getReason()).isEqualTo("renewed");

        DrainState cancelled = operator().cancelDrain(
                CancelDrainRequest.newBuilder().setDrainId(begun.getDrain().getDrainId()).build());
        assertThat(cancelled.getPhase()).isEqualTo(Phase.PHASE_RUNNING);
        assertThat(cancelled.hasDrain()).isFalse();
        assertThat(Files.exists(marker())).isFalse();
        assertThat(operator().cancelDrain(CancelDrainRequest.getDefaultInstance()).getPhase())
                .isEqualTo(Phase.PHASE_RUNNING);
    }

    @Test
    void principalComesFromTheTokenNotTheRequest() {
        DrainState begun = as(blocking, TestTokens.DRAINER)
                .beginDrain(BeginDrainRequest.newBuilder().setReason("principal: mallory").build());
        assertThat(begun.getDrain().getPrincipal()).isEqualTo(TestTokens.DRAINER.principal);
    }

    @Test
    void errorsCarryTheDocumentedCodesAndAnActionableDescription() {
        String id = operator().beginDrain(BeginDrainRequest.getDefaultInstance()).getDrain().getDrainId();

        assertStatus(() -> operator().beginDrain(BeginDrainRequest.newBuilder().setReason("r".repeat(257)).build()),
                Status.Code.INVALID_ARGUMENT, "at most 256");
        assertStatus(() -> operator().beginDrain(BeginDrainRequest.newBuilder()
                        .setLease(Duration.newBuilder().setSeconds(-5)).build()),
                Status.Code.INVALID_ARGUMENT, "negative");
        assertStatus(() -> operator().beginDrain(BeginDrainRequest.newBuilder()
                        .setLease(Duration.newBuilder().setSeconds(25 * 3600)).build()),
                Status.Code.INVALID_ARGUMENT, "maximum");
        assertStatus(() -> operator().cancelDrain(CancelDrainRequest.newBuilder().setDrainId("d-other").build()),
                Status.Code.FAILED_PRECONDITION, id);
        assertStatus(() -> blocking.getState(GetStateRequest.getDefaultInstance()),
                Status.Code.UNAUTHENTICATED, "bearer");
        assertStatus(() -> withHeader(blocking, "Bearer not-a-known-token").getState(GetStateRequest.getDefaultInstance()),
                Status.Code.UNAUTHENTICATED, "");
        assertStatus(() -> as(blocking, TestTokens.READER).beginDrain(BeginDrainRequest.getDefaultInstance()),
                Status.Code.PERMISSION_DENIED, "drain");
        assertStatus(() -> as(blocking, TestTokens.INGESTER).getState(GetStateRequest.getDefaultInstance()),
                Status.Code.PERMISSION_DENIED, "read");

        assertThat(operator().getState(GetStateRequest.getDefaultInstance()).getDrain().getDrainId()).isEqualTo(id);
    }

    @Test
    void beginDrainOnAnUnwritableHomeIsUnavailableAndChangesNothing() throws IOException {
        long version = operator().getState(GetStateRequest.getDefaultInstance()).getVersion();
        try (UnwritableDirs.Frozen frozen = UnwritableDirs.freeze(home.path())) {
            assertStatus(() -> operator().beginDrain(BeginDrainRequest.getDefaultInstance()),
                    Status.Code.UNAVAILABLE, "nothing changed");
        }
        DrainState after = operator().getState(GetStateRequest.getDefaultInstance());
        assertThat(after.getPhase()).isEqualTo(Phase.PHASE_RUNNING);
        assertThat(after.getVersion()).isEqualTo(version);
        assertThat(Files.exists(marker())).isFalse();
    }

    @Test
    void referenceMarkerWrittenByAnotherProcessDrainsAndItsRemovalResumes() throws IOException {
        Files.writeString(marker(), "{\"action\": \"drain\", \"requested_at\": \"" + now() + "\", "
                + "\"principal\": \"nas\", \"epoch\": \"" + TestHome.EPOCH + "\", \"suppress_notification\": true}");

        await().atMost(5, TimeUnit.SECONDS).until(() -> phase() == Phase.PHASE_DRAINING);
        DrainState draining = operator().getState(GetStateRequest.getDefaultInstance());
        assertThat(draining.getDrain().getSource()).isEqualTo("marker");
        assertThat(draining.getDrain().getPrincipal()).isEqualTo("nas");

        Files.delete(marker());
        await().atMost(5, TimeUnit.SECONDS).until(() -> phase() == Phase.PHASE_RUNNING);
    }

    @Test
    void staleEpochMarkerIsIgnoredAndReportedAsEpochMismatch() throws IOException {
        Files.writeString(marker(), "{\"action\": \"drain\", \"requested_at\": \"" + now() + "\", "
                + "\"principal\": \"nas\", \"epoch\": \"old-boot:1\", \"suppress_notification\": false}");

        await().atMost(5, TimeUnit.SECONDS).until(() -> operator().getState(GetStateRequest.getDefaultInstance())
                .getMarker().getIgnoredReason() == IgnoredReason.IGNORED_REASON_EPOCH_MISMATCH);
        assertThat(phase()).isEqualTo(Phase.PHASE_RUNNING);
        assertThat(Files.exists(marker())).as("never deleted by a read").isTrue();
    }

    @Test
    void corruptMarkerDrainsThenExpiresOnceItsMtimeIsOlderThanMaxAge() throws IOException {
        Files.writeString(marker(), "{\"action\": \"dra");
        await().atMost(5, TimeUnit.SECONDS).until(() -> phase() == Phase.PHASE_DRAINING);
        assertThat(operator().getState(GetStateRequest.getDefaultInstance()).getMarker().getStatus())
                .isEqualTo(MarkerStatus.MARKER_STATUS_UNPARSEABLE_ACTIVE);

        Files.setLastModifiedTime(marker(), FileTime.from(Instant.now().minus(2, ChronoUnit.HOURS)));
        await().atMost(5, TimeUnit.SECONDS).until(() -> phase() == Phase.PHASE_RUNNING);
        assertThat(operator().getState(GetStateRequest.getDefaultInstance()).getMarker().getIgnoredReason())
                .isEqualTo(IgnoredReason.IGNORED_REASON_EXPIRED);
    }

    @Test
    void shortLeaseExpiresByItself() {
        operator().beginDrain(BeginDrainRequest.newBuilder().setLease(Duration.newBuilder().setSeconds(1)).build());
        assertThat(phase()).isEqualTo(Phase.PHASE_DRAINING);

        await().atMost(5, TimeUnit.SECONDS).until(() -> phase() == Phase.PHASE_RUNNING);
        assertThat(operator().getState(GetStateRequest.getDefaultInstance()).getMarker().getIgnoredReason())
                .isEqualTo(IgnoredReason.IGNORED_REASON_EXPIRED);
    }

    @Test
    void readinessAndGrpcHealthFlipBothWays() {
        RestAssured.get("/q/health/ready").then().statusCode(200);
        assertThat(servingStatus("")).isEqualTo(ServingStatus.SERVING);

        operator().beginDrain(BeginDrainRequest.getDefaultInstance());
        RestAssured.get("/q/health/ready").then().statusCode(503);
        assertThat(servingStatus("")).isEqualTo(ServingStatus.NOT_SERVING);
        assertThat(servingStatus("quiesce.v1.MessageGateway")).isEqualTo(ServingStatus.NOT_SERVING);
        assertThat(servingStatus("quiesce.v1.DrainControl")).isEqualTo(ServingStatus.SERVING);

        operator().cancelDrain(CancelDrainRequest.getDefaultInstance());
        RestAssured.get("/q/health/ready").then().statusCode(200);
        assertThat(servingStatus("")).isEqualTo(ServingStatus.SERVING);
        assertThat(servingStatus("quiesce.v1.MessageGateway")).isEqualTo(ServingStatus.SERVING);
    }

    @Test
    void watchStateDeliversBeginAndCancelInOrderWithIncreasingVersions() {
        List<DrainState> received = new CopyOnWriteArrayList<>();
        var context = io.grpc.Context.current().withCancellation();
        context.run(() -> as(DrainControlGrpc.newStub(channel), TestTokens.READER).watchState(WatchStateRequest.getDefaultInstance(),
                new StreamObserver<>() {
                    @Override
                    public void onNext(DrainState value) {
                        received.add(value);
                    }

                    @Override
                    public void onError(Throwable t) {}

                    @Override
                    public void onCompleted() {}
                }));
        try {
            await().until(() -> !received.isEmpty());
            operator().beginDrain(BeginDrainRequest.getDefaultInstance());
            operator().cancelDrain(CancelDrainRequest.getDefaultInstance());

            await().atMost(5, TimeUnit.SECONDS).until(() -> received.get(received.size() - 1).getPhase() == Phase.PHASE_RUNNING
                    && received.stream().anyMatch(s -> s.getPhase() == Phase.PHASE_DRAINING));
            assertThat(received.get(0).getPhase()).isEqualTo(Phase.PHASE_RUNNING);
            assertThat(received).extracting(DrainState::getVersion).isSorted().doesNotHaveDuplicates();
        } finally {
            context.cancel(null);
        }
    }

    private Phase phase() {
        return operator().getState(GetStateRequest.getDefaultInstance()).getPhase();
    }

    private ServingStatus servingStatus(String service) {
        return health.check(HealthCheckRequest.newBuilder().setService(service).build()).getStatus();
    }

    private static String now() {
        return IsoTimes.format(Instant.now());
    }

    private static void assertStatus(Runnable call, Status.Code code, String descriptionPart) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(code);
            assertThat(e.getStatus().getDescription()).isNotBlank().containsIgnoringCase(descriptionPart);
        });
    }
}
