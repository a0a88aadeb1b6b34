package dev.quiesce.lifecycle;

import static dev.quiesce.testing.GrpcAuth.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quiesce.api.v1.DrainControlGrpc;
import dev.quiesce.api.v1.DrainState;
import dev.quiesce.api.v1.GetStateRequest;
import dev.quiesce.api.v1.MarkerStatus;
import dev.quiesce.api.v1.Phase;
import dev.quiesce.testing.TestTokens;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Load (issue 8, suite 3): 64 concurrent gRPC clients, each on its own connection, mixing
 * HandleMessage, GetState, WatchState, BeginDrain and CancelDrain against the packaged application
 * ({@link GatewayLoad} says which results are expected). Afterwards: no unexpected result, nothing
 * in flight, the marker on disk and the status file agree with the phase in memory, and the
 * resident memory stays under the pod's memory limit with the pod's heap.
 *
 * <p>10 s by default; the long run ({@code -Preliability}) sets {@code reliability.load.seconds=30}.
 * Figures go to {@code target/reliability/load.md}.
 */
class LoadIT {

    private static final int CLIENTS = Integer.getInteger("reliability.load.clients", 64);
    private static final Duration DURATION = Duration.ofSeconds(Long.getLong("reliability.load.seconds", 10));
    /** The pod's heap (README "Security": half the 512 Mi limit) and its memory limit. */
    private static final List<String> POD_HEAP = List.of("-Xmx256m");
    private static final long POD_MEMORY_LIMIT_MIB = 512;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void concurrentClientsMixingEveryCallSeeOnlyExpectedResultsAndLeaveAConsistentGateway() throws Exception {
        long seed = Long.getLong("reliability.seed", System.nanoTime());
        Map<String, String> config = Map.of("quiesce.turn.echo.delay", "20ms");
        try (PackagedApp app = PackagedApp.start(PackagedApp.newHome(), config, POD_HEAP)) {
            ProcessStats before = ProcessStats.of(app.pid(), Duration.ZERO);

            GatewayLoad.Result result = new GatewayLoad(app.port, CLIENTS, GatewayLoad.Mix.DEFAULT, seed).run(DURATION);

            ProcessStats after = ProcessStats.of(app.pid(), DURATION);
            DrainControlGrpc.DrainControlBlockingStub control =
                    as(DrainControlGrpc.newBlockingStub(app.channel()), TestTokens.READER);
            // Settled: no turn runs, and a running gateway has answered what its inbox kept (the replay starts
            // turns of its own, so a moment with none in flight is not yet the end).
            DrainState state = await().atMost(Duration.ofSeconds(60)).until(
                    () -> control.getState(GetStateRequest.getDefaultInstance()),
                    s -> s.getInFlight() == 0 && (s.getPhase() != Phase.PHASE_RUNNING
                            || s.getInbox().getWaiting() == 0 && !s.getInbox().getReplaying()));
            report(seed, result, before, after, state);

            assertThat(result.unexpectedSamples()).as("unexpected results, seed %d", seed).isEmpty();
            assertThat(result.unexpected()).isZero();
            assertThat(result.monitorProblems()).isEmpty();
            assertThat(result.counts()).containsKeys("HandleMessage/TURN_OUTCOME_COMPLETED",
                    "HandleMessage/TURN_OUTCOME_REFUSED_DRAINING", "HandleMessage/TURN_OUTCOME_DEFERRED",
                    "GetState/OK", "WatchState/OK", "BeginDrain/OK",
                    "CancelDrain/OK");
            assertThat(state.getInFlightTurnsList()).isEmpty();
            assertMarkerAgreesWith(state, app.home);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertStatusFileAgreesWith(state, app.home));
            assertThat(after.rssMib()).as("RSS after the load, MiB").isLessThan(POD_MEMORY_LIMIT_MIB);
            assertThat(app.isAlive()).isTrue();
        }
    }

    private static void assertMarkerAgreesWith(DrainState state, Path home) throws Exception {
        Path marker = home.resolve(".drain_request.json");
        if (state.getPhase() == Phase.PHASE_DRAINING) {
            JsonNode body = JSON.readTree(Files.readAllBytes(marker));
            assertThat(body.path("drain_id").asText()).isEqualTo(state.getDrain().getDrainId());
            assertThat(body.path("reason").asText()).isEqualTo(state.getDrain().getReason());
            assertThat(state.getMarker().getStatus()).isEqualTo(MarkerStatus.MARKER_STATUS_ACTIVE);
        } else {
            assertThat(state.getPhase()).isEqualTo(Phase.PHASE_RUNNING);
            assertThat(marker).doesNotExist();
            assertThat(state.getMarker().getStatus()).isEqualTo(MarkerStatus.MARKER_STATUS_ABSENT);
        }
    }

    private static void assertStatusFileAgreesWith(DrainState state, Path home) throws Exception {
        JsonNode status = JSON.readTree(Files.readAllBytes(home.resolve("gateway_state.json")));
        assertThat(status.path("gateway_state").asText())
                .isEqualTo(state.getPhase() == Phase.PHASE_DRAINING ? "draining" : "running");
        assertThat(status.path("active_agents").asInt()).isZero();
        assertThat(status.path("version").asLong()).isGreaterThanOrEqualTo(state.getVersion());
    }

    private static void report(long seed, GatewayLoad.Result result, ProcessStats before, ProcessStats after,
            DrainState end) throws Exception {
        String report = "# Load\n\n" + CLIENTS + " clients for " + DURATION.toSeconds() + " s (seed " + seed + "): "
                + result.total() + " calls, " + result.unexpected() + " unexpected; monitor stream: "
                + result.monitorStates() + " states, " + result.monitorProblems().size() + " problems.\n\n"
                + result.table() + "\n| | RSS MiB | fds | threads |\n|---|---|---|---|\n"
                + "| before | " + before.rssMib() + " | " + before.fds() + " | " + before.threads() + " |\n"
                + "| after | " + after.rssMib() + " | " + after.fds() + " | " + after.threads() + " |\n\n"
                + "End: " + end.getPhase() + ", in flight " + end.getInFlight() + ", marker "
                + end.getMarker().getStatus() + ", version " + end.getVersion() + "\n"
                + (result.unexpectedSamples().isEmpty() ? "" : "\nUnexpected:\n- "
                        + String.join("\n- ", result.unexpectedSamples()) + "\n");
        Path dir = Files.createDirectories(Path.of("target", "reliability"));
        Files.writeString(dir.resolve("load.md"), report);
        System.out.println(report);
    }
}
