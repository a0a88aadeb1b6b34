package dev.quiesce.lifecycle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quiesce.api.v1.BeginDrainRequest;
import dev.quiesce.api.v1.CancelDrainRequest;
import dev.quiesce.api.v1.DrainControlGrpc;
import dev.quiesce.api.v1.DrainState;
import dev.quiesce.api.v1.GetStateRequest;
import dev.quiesce.api.v1.MarkerStatus;
import dev.quiesce.api.v1.Phase;
import dev.quiesce.home.IsoTimes;
import dev.quiesce.testing.TestHome;
import dev.quiesce.testing.TestTokens;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static dev.quiesce.testing.GrpcAuth.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Crash consistency (issue 8, suite 1): BeginDrain/CancelDrain in a tight loop against the packaged
 * application, SIGKILLed at random moments and restarted on the same home with the same fake
 * {@code /proc} (so the same epoch: a marker written before the kill is still this
 * instantiation's). After every kill the marker on disk must be absent or one whole, valid JSON
 * object, and after every restart the phase (and the drain's id, reason and suppression) must be
 * what the last acknowledged operation left. Only the operation in flight at the kill may have gone
 * either way. Temp files a kill left (and ones planted as a kill mid-write would leave them) must be
 * gone after the restart.
 *
 * <p>Fast by default (200 operations, 10 kills). The long run ({@code -Preliability}, see
 * {@code src/test/RELIABILITY.md}) sets {@code reliability.crash.ops} and
 * {@code reliability.crash.kills}. {@code reliability.seed} replays a run; the seed is in the report
 * ({@code target/reliability/crash-consistency.md}) and in every failure message.
 */
class CrashConsistencyIT {

    private static final int OPERATIONS = Integer.getInteger("reliability.crash.ops", 200);
    private static final int KILLS = Integer.getInteger("reliability.crash.kills", 10);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MARKER = ".drain_request.json";
    private static final String STATUS_FILE = "gateway_state.json";

    private final ScheduledExecutorService killer = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stopKiller() {
        killer.shutdownNow();
    }

    @Test
    void afterEverySigkillTheMarkerIsWholeAndThePhaseIsTheLastAcknowledgedOperation() throws Exception {
        long seed = Long.getLong("reliability.seed", System.nanoTime());
        Random random = new Random(seed);
        Path home = PackagedApp.newHome();
        Tally tally = new Tally();
        long started = System.nanoTime();
        Expected expected = Expected.running();
        long opNanos = TimeUnit.MILLISECONDS.toNanos(5); // running estimate of one operation's round trip
        int maxLives = KILLS * 4 + 20;

        while (tally.kills < KILLS || tally.acknowledged < OPERATIONS) {
            assertThat(tally.lives).as("lives (bounded loop), seed %d", seed).isLessThan(maxLives);
            tally.lives++;
            try (PackagedApp app = PackagedApp.start(home, Map.of(), PackagedApp.FAST_START)) {
                DrainControlGrpc.DrainControlBlockingStub control =
                        as(DrainControlGrpc.newBlockingStub(app.channel()), TestTokens.OPERATOR);
                expected = verifyRestart(app, control, expected, tally, seed);

                int perLife = Math.max(1, (OPERATIONS - tally.acknowledged) / Math.max(1, KILLS - tally.kills));
                long killAfter = (long) (random.nextDouble() * 2 * perLife * opNanos);
                AtomicBoolean killed = new AtomicBoolean();
                ScheduledFuture<?> kill = killer.schedule(() -> {
                    killed.set(true);
                    app.kill();
                    return null;
                }, killAfter, TimeUnit.NANOSECONDS);

                for (int op = 0; ; op++) {
                    assertThat(op).as("operations in one life (bounded loop), seed %d", seed).isLessThan(100_000);
                    Operation operation = Operation.random(random, expected, tally.acknowledged);
                    long callStart = System.nanoTime();
                    try {
                        DrainState reply = operation.call(control);
                        opNanos = (opNanos * 7 + (System.nanoTime() - callStart)) / 8;
                        expected = operation.acknowledged(reply);
                        tally.acknowledged++;
                        tally.count(operation);
                    } catch (StatusRuntimeException e) {
                        if (e.getStatus().getCode() != Status.Code.UNAVAILABLE || !killed.get()) {
                            fail("%s failed with %s before any kill, seed %d", operation, e.getStatus(), seed);
                        }
                        expected = expected.orAfter(operation);
                        tally.inDoubt++;
                        break;
                    }
                }
                kill.get(30, TimeUnit.SECONDS);
                tally.kills++;
            }
            inspectAfterKill(home, expected, tally, seed);
            plantLeftovers(home, random, tally);
        }
        try (PackagedApp app = PackagedApp.start(home, Map.of(), PackagedApp.FAST_START)) {
            verifyRestart(app, as(DrainControlGrpc.newBlockingStub(app.channel()), TestTokens.OPERATOR), expected,
                    tally, seed);
            assertThat(app.terminate(Duration.ofSeconds(30)).code()).isZero();
        }
        tally.report(seed, Duration.ofNanos(System.nanoTime() - started));

        assertThat(tally.kills).isGreaterThanOrEqualTo(KILLS);
        assertThat(tally.acknowledged).isGreaterThanOrEqualTo(OPERATIONS);
    }

    /** Checks the restarted app against what was acknowledged, and returns the state it actually has. */
    private static Expected verifyRestart(PackagedApp app, DrainControlGrpc.DrainControlBlockingStub control,
            Expected expected, Tally tally, long seed) throws IOException {
        DrainState state = control.getState(GetStateRequest.getDefaultInstance());
        if (!expected.allows(state)) {
            fail("after restart %d the state is %s %s (marker %s), but %s; seed %d", tally.lives,
                    state.getPhase(), state.getDrain(), state.getMarker(), expected, seed);
        }
        MarkerStatus markerStatus = state.getMarker().getStatus();
        assertThat(markerStatus).as("marker judged on restart %d, seed %d", tally.lives, seed)
                .isEqualTo(state.getPhase() == Phase.PHASE_DRAINING
                        ? MarkerStatus.MARKER_STATUS_ACTIVE : MarkerStatus.MARKER_STATUS_ABSENT);
        assertThat(tempFiles(app.home)).as("temp files left after restart %d, seed %d", tally.lives, seed).isEmpty();
        if (expected.inDoubt() != null) {
            tally.resolved(expected, state);
        }
        return Expected.of(state);
    }

    /** The process is dead: the marker is absent or one whole, valid JSON object that some allowed state wrote. */
    private static void inspectAfterKill(Path home, Expected expected, Tally tally, long seed) throws IOException {
        tally.tempFilesAfterKills += tempFiles(home).size();
        Path marker = home.resolve(MARKER);
        if (!Files.exists(marker)) {
            tally.markerAbsentAfterKill++;
            assertThat(expected.allowsNoMarker()).as("no marker after kill %d, but %s; seed %d", tally.kills,
                    expected, seed).isTrue();
            return;
        }
        tally.markerPresentAfterKill++;
        byte[] bytes = Files.readAllBytes(marker);
        JsonNode body;
        try {
            body = JSON.readTree(bytes);
        } catch (IOException e) {
            throw new AssertionError("the marker after kill " + tally.kills + " is not JSON (" + e.getMessage()
                    + "): " + new String(bytes) + "; seed " + seed);
        }
        assertThat(body).as("marker after kill %d: %s; seed %d", tally.kills, new String(bytes), seed).isNotNull();
        assertThat(body.isObject()).as("marker after kill %d is an object; seed %d", tally.kills, seed).isTrue();
        assertThat(body.path("action").asText()).isEqualTo("drain");
        assertThat(body.path("epoch").asText()).isEqualTo(TestHome.EPOCH);
        assertThat(IsoTimes.parse(body.path("requested_at").asText())).as("requested_at").isNotNull();
        assertThat(IsoTimes.parse(body.path("lease_expires_at").asText())).as("lease_expires_at").isNotNull();
        assertThat(expected.allowsMarker(body.path("drain_id").asText(), body.path("reason").asText(),
                body.path("suppress_notification").asBoolean()))
                .as("marker %s after kill %d, but %s; seed %d", body, tally.kills, expected, seed).isTrue();
    }

    /**
     * Temp files an atomic write killed between its write and its rename leaves:
     * {@code .drain_request.json.<random>.tmp} of the marker, {@code .gateway_state.json.<random>.tmp}
     * of the status file.
     */
    private static List<String> tempFiles(Path home) throws IOException {
        try (Stream<Path> files = Files.list(home)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(name -> (name.startsWith(MARKER + ".") || name.startsWith("." + STATUS_FILE + "."))
                            && name.endsWith(".tmp"))
                    .sorted().toList();
        }
    }

    /**
     * A kill lands between a temp file's write and its rename only rarely (the window is a few
     * microseconds), so every other kill leaves what such a kill would: a marker temp file holding a
     * truncated marker, and a status-file temp file. The restart must remove both and never read
     * the first as the marker.
     */
    private static void plantLeftovers(Path home, Random random, Tally tally) throws IOException {
        if (random.nextBoolean()) {
            return;
        }
        byte[] marker = ("{\"action\": \"drain\", \"requested_at\": \"" + IsoTimes.format(Instant.now())
                + "\", \"principal\": \"operator\", \"epoch\": \"" + TestHome.EPOCH
                + "\", \"suppress_notification\": true, \"drain_id\": \"d-planted\", \"reason\": \"planted\"}")
                .getBytes(StandardCharsets.UTF_8);
        Files.write(home.resolve(MARKER + "." + UUID.randomUUID() + ".tmp"),
                Arrays.copyOf(marker, random.nextInt(marker.length)));
        Files.writeString(home.resolve("." + STATUS_FILE + "." + UUID.randomUUID() + ".tmp"), "{\"pid\": ");
        tally.plantedLeftovers += 2;
    }

    /** A control call of the loop. */
    private record Operation(boolean begin, String reason, boolean suppress, String drainId) {

        /** Begin or cancel, half and half; a cancel sends an empty id or the active one. */
        static Operation random(Random random, Expected expected, int sequence) {
            if (random.nextBoolean()) {
                return new Operation(true, "crash-" + sequence, random.nextBoolean(), "");
            }
            String id = expected.drainId() != null && random.nextBoolean() ? expected.drainId() : "";
            return new Operation(false, "", false, id);
        }

        DrainState call(DrainControlGrpc.DrainControlBlockingStub control) {
            DrainControlGrpc.DrainControlBlockingStub bounded = control.withDeadlineAfter(10, TimeUnit.SECONDS);
            return begin
                    ? bounded.beginDrain(BeginDrainRequest.newBuilder().setReason(reason)
                            .setSuppressNotification(suppress).build())
                    : bounded.cancelDrain(CancelDrainRequest.newBuilder().setDrainId(drainId).build());
        }

        Expected acknowledged(DrainState reply) {
            assertThat(reply.getPhase()).isEqualTo(begin ? Phase.PHASE_DRAINING : Phase.PHASE_RUNNING);
            return Expected.of(reply);
        }

        @Override
        public String toString() {
            return begin ? "BeginDrain(" + reason + ", suppress=" + suppress + ")" : "CancelDrain(" + drainId + ")";
        }
    }

    /**
     * What must hold after a restart: a drain with this id, reason and suppression, or none. When an
     * operation was in flight at the kill, {@code inDoubt} is it, and its outcome is allowed too.
     *
     * @param drainId the acknowledged drain's id; null = running
     */
    private record Expected(String drainId, String reason, boolean suppress, Operation inDoubt) {

        static Expected running() {
            return new Expected(null, "", false, null);
        }

        static Expected of(DrainState state) {
            return state.getPhase() == Phase.PHASE_DRAINING
                    ? new Expected(state.getDrain().getDrainId(), state.getDrain().getReason(),
                            state.getDrain().getSuppressNotification(), null)
                    : running();
        }

        Expected orAfter(Operation operation) {
            return new Expected(drainId, reason, suppress, operation);
        }

        boolean allows(DrainState state) {
            boolean draining = state.getPhase() == Phase.PHASE_DRAINING;
            if (!draining && state.getPhase() != Phase.PHASE_RUNNING) {
                return false;
            }
            return draining
                    ? allowsMarker(state.getDrain().getDrainId(), state.getDrain().getReason(),
                            state.getDrain().getSuppressNotification())
                    : allowsNoMarker();
        }

        boolean allowsNoMarker() {
            return drainId == null || inDoubt != null && !inDoubt.begin();
        }

        boolean allowsMarker(String id, String markerReason, boolean markerSuppress) {
            boolean acknowledged = drainId != null && drainId.equals(id) && reason.equals(markerReason)
                    && suppress == markerSuppress;
            // A begin in flight: a new drain (any id) when none was on, a renewal of the same id otherwise.
            boolean fromInDoubt = inDoubt != null && inDoubt.begin() && (drainId == null || drainId.equals(id))
                    && inDoubt.reason().equals(markerReason) && inDoubt.suppress() == markerSuppress;
            return acknowledged || fromInDoubt;
        }

        /** Whether the in-doubt operation took effect, judged from the state after the restart. */
        boolean appliedIn(DrainState state) {
            Expected without = new Expected(drainId, reason, suppress, null);
            return !without.allows(state);
        }
    }

    /** The run's figures, for the report. */
    private static final class Tally {
        int lives;
        int kills;
        int acknowledged;
        int begins;
        int cancels;
        int inDoubt;
        int inDoubtApplied;
        int inDoubtNotApplied;
        int inDoubtNoDifference;
        int markerPresentAfterKill;
        int markerAbsentAfterKill;
        int tempFilesAfterKills;
        int plantedLeftovers;

        void count(Operation operation) {
            if (operation.begin()) {
                begins++;
            } else {
                cancels++;
            }
        }

        void resolved(Expected expected, DrainState state) {
            if (!expected.inDoubt().begin() && expected.drainId() == null) {
                inDoubtNoDifference++; // a cancel while running: nothing to tell apart
            } else if (expected.appliedIn(state)) {
                inDoubtApplied++;
            } else {
                inDoubtNotApplied++;
            }
        }

        void report(long seed, Duration took) throws IOException {
            String report = String.format("""
                    # Crash consistency

                    | figure | value |
                    |---|---|
                    | seed (`-Dreliability.seed`) | %d |
                    | acknowledged operations | %d (%d BeginDrain, %d CancelDrain) |
                    | SIGKILLs | %d (%d starts of the app) |
                    | operations in flight at a kill | %d: %d took effect, %d did not, %d cancels of nothing |
                    | marker present / absent right after a kill | %d / %d |
                    | temp files found right after a kill | %d |
                    | temp files planted after kills (truncated markers, status files) | %d |
                    | temp files left after a restart | 0 |
                    | partial or invalid markers | 0 |
                    | wrong phase after a restart | 0 |
                    | duration | %d s |
                    """, seed, acknowledged, begins, cancels, kills, lives + 1, inDoubt, inDoubtApplied,
                    inDoubtNotApplied, inDoubtNoDifference, markerPresentAfterKill, markerAbsentAfterKill,
                    tempFilesAfterKills, plantedLeftovers, took.toSeconds());
            Path dir = Files.createDirectories(Path.of("target", "reliability"));
            Files.writeString(dir.resolve("crash-consistency.md"), report);
            System.out.println(report);
        }
    }
}
