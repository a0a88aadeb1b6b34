package dev.quiesce.lifecycle;

import static dev.quiesce.testing.GatewayClient.message;
import static dev.quiesce.testing.GatewayClient.session;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quiesce.api.v1.BeginDrainRequest;
import dev.quiesce.api.v1.CancelDrainRequest;
import dev.quiesce.api.v1.DrainState;
import dev.quiesce.api.v1.MarkerStatus;
import dev.quiesce.api.v1.Phase;
import dev.quiesce.api.v1.TurnOutcome;
import dev.quiesce.testing.UnwritableDirs;
import dev.quiesce.testing.GatewayClient;
import dev.quiesce.testing.TestTokens;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * File-system faults (issue 8, suite 2) against the packaged application: a home that refuses
 * changes ({@code chattr +i}) or disappears, a directory where the marker or the status file should
 * be. In each the control calls that cannot persist fail with UNAVAILABLE and change nothing, the
 * gateway keeps answering GetState and HandleMessage, and it recovers by itself once the file
 * system is usable again.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FileSystemFaultsIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String MARKER = ".drain_request.json";

    /**
     * The app of the tests whose faults end with the home as it was (immutable for a while, a
     * directory in the marker's place for a while); each starts RUNNING without a marker. The
     * deleted home and the status file squatted from the start get their own.
     */
    private PackagedApp shared;

    @BeforeAll
    void startSharedApp() throws IOException {
        shared = PackagedApp.start(PackagedApp.newHome(), Map.of(), PackagedApp.FAST_START);
    }

    @AfterAll
    void stopSharedApp() {
        shared.close();
    }

    @BeforeEach
    void runningWithoutAMarkerAndWritingTheStatusFile() {
        GatewayClient gateway = new GatewayClient(shared.channel());
        gateway.control().cancelDrain(CancelDrainRequest.getDefaultInstance());
        assertRunningWithoutMarker(gateway.state(), shared.home);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                check(readiness(shared)).path("data").has("status_file_error")).isFalse());
    }

    @Test
    void anImmutableHomeRefusesBeginDrainKeepsServingAndRecoversWhenWritableAgain() throws Exception {
        PackagedApp app = shared;
        GatewayClient gateway = new GatewayClient(app.channel());

        try (UnwritableDirs.Frozen frozen = UnwritableDirs.freeze(app.home)) {
            StatusRuntimeException refused = refusal(() -> gateway.control().beginDrain(begin("maintenance")));

            assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
            assertThat(refused.getStatus().getDescription()).contains(MARKER).contains("nothing changed");
            assertRunningWithoutMarker(gateway.state(), app.home);
            assertThat(gateway.handle(TestTokens.INGESTER, message(session("ro"), "hi")).getOutcome())
                    .isEqualTo(TurnOutcome.TURN_OUTCOME_COMPLETED);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                JsonNode ready = readiness(app);
                assertThat(ready.path("status").asText()).isEqualTo("UP");
                assertThat(check(ready).path("data").has("status_file_error")).isTrue();
            });
        }

        DrainState draining = gateway.control().beginDrain(begin("maintenance"));
        assertThat(draining.getPhase()).isEqualTo(Phase.PHASE_DRAINING);
        assertThat(markerDrainId(app.home)).isEqualTo(draining.getDrain().getDrainId());
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                check(readiness(app)).path("data").has("status_file_error")).isFalse());
    }

    @Test
    void anImmutableHomeRefusesCancelDrainAndTheDrainStaysOn() throws Exception {
        PackagedApp app = shared;
        GatewayClient gateway = new GatewayClient(app.channel());
        DrainState draining = gateway.control().beginDrain(begin("image migration"));

        try (UnwritableDirs.Frozen frozen = UnwritableDirs.freeze(app.home)) {
            StatusRuntimeException cancel = refusal(() -> gateway.control().cancelDrain(
                    CancelDrainRequest.getDefaultInstance()));
            StatusRuntimeException renew = refusal(() -> gateway.control().beginDrain(begin("renewed")));

            assertThat(cancel.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
            assertThat(cancel.getStatus().getDescription()).contains("still on");
            assertThat(renew.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
            DrainState state = gateway.state();
            assertThat(state.getPhase()).isEqualTo(Phase.PHASE_DRAINING);
            assertThat(state.getDrain()).isEqualTo(draining.getDrain());
            assertThat(markerDrainId(app.home)).isEqualTo(draining.getDrain().getDrainId());
            assertThat(gateway.handle(TestTokens.INGESTER, message(session("ro"), "hi")).getOutcome())
                    .isEqualTo(TurnOutcome.TURN_OUTCOME_REFUSED_DRAINING);
        }

        assertThat(gateway.control().cancelDrain(CancelDrainRequest.getDefaultInstance()).getPhase())
                .isEqualTo(Phase.PHASE_RUNNING);
        assertThat(app.home.resolve(MARKER)).doesNotExist();
    }

    @Test
    void aDeletedHomeRefusesBeginDrainKeepsServingAndRecoversWhenItIsBack() throws Exception {
        try (PackagedApp app = PackagedApp.start(PackagedApp.newHome(), Map.of(), PackagedApp.FAST_START)) {
            GatewayClient gateway = new GatewayClient(app.channel());

            deleteTree(app.home);

            StatusRuntimeException refused = refusal(() -> gateway.control().beginDrain(begin("maintenance")));
            assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
            assertRunningWithoutMarker(gateway.state(), app.home);
            assertThat(gateway.handle(TestTokens.INGESTER, message(session("gone"), "hi")).getOutcome())
                    .as("tokens loaded before stay in force").isEqualTo(TurnOutcome.TURN_OUTCOME_COMPLETED);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                    health(app, "live").path("status").asText()).isEqualTo("DOWN"));
            assertThat(app.home).as("not re-created behind the operator's back").doesNotExist();

            Files.createDirectory(app.home, PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwx------")));

            DrainState draining = gateway.control().beginDrain(begin("maintenance"));
            assertThat(draining.getPhase()).isEqualTo(Phase.PHASE_DRAINING);
            assertThat(markerDrainId(app.home)).isEqualTo(draining.getDrain().getDrainId());
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                    health(app, "live").path("status").asText()).isEqualTo("UP"));
            Files.delete(app.home.resolve(MARKER)); // another process cancels: the re-armed watch sees it
            await().atMost(Duration.ofSeconds(10)).until(() -> gateway.state().getPhase() == Phase.PHASE_RUNNING);
        }
    }

    @Test
    void aDirectoryWhereTheMarkerBelongsIsUnreadableAndBeginDrainFailsCleanly() throws Exception {
        PackagedApp app = shared;
        GatewayClient gateway = new GatewayClient(app.channel());
        Path squatter = Files.createDirectory(app.home.resolve(MARKER));
        Files.writeString(squatter.resolve("keep"), "not a marker");

        await().atMost(Duration.ofSeconds(10)).until(
                () -> gateway.state().getMarker().getStatus() == MarkerStatus.MARKER_STATUS_UNREADABLE);
        StatusRuntimeException refused = refusal(() -> gateway.control().beginDrain(begin("maintenance")));

        assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        DrainState state = gateway.state();
        assertThat(state.getPhase()).isEqualTo(Phase.PHASE_RUNNING);
        assertThat(state.getMarker().getStatus()).isEqualTo(MarkerStatus.MARKER_STATUS_UNREADABLE);
        assertThat(squatter.resolve("keep")).exists();
        assertThat(gateway.handle(TestTokens.INGESTER, message(session("dir"), "hi")).getOutcome())
                .isEqualTo(TurnOutcome.TURN_OUTCOME_COMPLETED);
        assertThat(app.isAlive()).isTrue();

        deleteTree(squatter);

        await().atMost(Duration.ofSeconds(10)).until(
                () -> gateway.state().getMarker().getStatus() == MarkerStatus.MARKER_STATUS_ABSENT);
        assertThat(gateway.control().beginDrain(begin("maintenance")).getPhase()).isEqualTo(Phase.PHASE_DRAINING);
    }

    @Test
    void aDirectoryWhereTheStatusFileBelongsIsReportedByReadinessWhileTheGatewayWorks() throws Exception {
        Path home = PackagedApp.newHome();
        Path squatter = Files.createDirectory(home.resolve("gateway_state.json"));
        Files.writeString(squatter.resolve("keep"), "not a status file");
        try (PackagedApp app = PackagedApp.start(home, Map.of(), PackagedApp.FAST_START)) {
            GatewayClient gateway = new GatewayClient(app.channel());

            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                    check(readiness(app)).path("data").path("status_file_error").asText()).isNotEmpty());
            assertThat(readiness(app).path("status").asText()).isEqualTo("UP");
            assertThat(gateway.handle(TestTokens.INGESTER, message(session("sf"), "hi")).getOutcome())
                    .isEqualTo(TurnOutcome.TURN_OUTCOME_COMPLETED);
            assertThat(gateway.control().beginDrain(begin("maintenance")).getPhase()).isEqualTo(Phase.PHASE_DRAINING);
            assertThat(gateway.control().cancelDrain(CancelDrainRequest.getDefaultInstance()).getPhase())
                    .isEqualTo(Phase.PHASE_RUNNING);

            deleteTree(squatter);
            gateway.handle(TestTokens.INGESTER, message(session("sf"), "a change to write"));

            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                    check(readiness(app)).path("data").has("status_file_error")).isFalse());
            assertThat(JSON.readTree(home.resolve("gateway_state.json").toFile()).path("gateway_state").asText())
                    .isEqualTo("running");
        }
    }

    private static BeginDrainRequest begin(String reason) {
        return BeginDrainRequest.newBuilder().setReason(reason).build();
    }

    private static StatusRuntimeException refusal(Runnable call) {
        StatusRuntimeException refused = catchThrowableOfType(StatusRuntimeException.class, call::run);
        assertThat(refused).as("the call was refused").isNotNull();
        return refused;
    }

    private static void assertRunningWithoutMarker(DrainState state, Path home) {
        assertThat(state.getPhase()).isEqualTo(Phase.PHASE_RUNNING);
        assertThat(state.hasDrain()).isFalse();
        assertThat(home.resolve(MARKER)).doesNotExist();
    }

    private static String markerDrainId(Path home) throws IOException {
        return JSON.readTree(home.resolve(MARKER).toFile()).path("drain_id").asText();
    }

    static JsonNode readiness(PackagedApp app) throws Exception {
        return health(app, "ready");
    }

    /** {@code /q/health/<which>} as JSON, whatever its status code. */
    static JsonNode health(PackagedApp app, String which) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + app.port + "/q/health/" + which)).build(),
                HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(response.body());
    }

    /** Our readiness check in the health answer. */
    private static JsonNode check(JsonNode health) {
        for (JsonNode check : health.path("checks")) {
            if ("quiesce-drain".equals(check.path("name").asText())) {
                return check;
            }
        }
        throw new AssertionError("no quiesce-drain check in " + health);
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
