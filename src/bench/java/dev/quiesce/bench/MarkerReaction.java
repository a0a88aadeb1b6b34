package dev.quiesce.bench;

import dev.quiesce.api.v1.DrainState;
import dev.quiesce.api.v1.GetStateRequest;
import dev.quiesce.api.v1.Phase;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.TimeUnit;

/**
 * Measurement B: how fast the gateway reacts to a drain marker another process writes or removes.
 * Per trial the harness writes a reference-format marker the way the Python gateway's tooling does
 * (temp file in the home, fsync, atomic rename over {@code .drain_request.json}) and times from
 * just before the rename until the kept-open {@code WatchState} stream delivers PHASE_DRAINING;
 * then it deletes the file and times from just before the unlink until PHASE_RUNNING arrives.
 * Not thread-safe.
 */
final class MarkerReaction {

    static final String MARKER = ".drain_request.json";

    /** Python's {@code datetime.now(timezone.utc).isoformat()}: microseconds and {@code +00:00}. */
    private static final DateTimeFormatter ISO_UTC =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSxxx").withZone(ZoneOffset.UTC);

    private static final long REACTION_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final GatewayChannel control;
    private final Path marker;
    private final Path temp;

    MarkerReaction(GatewayChannel control, Path home) {
        this.control = control;
        this.marker = home.resolve(MARKER);
        this.temp = home.resolve(MARKER + ".bench.tmp");
    }

    /**
     * Runs {@code warmup} unrecorded write/delete pairs, then {@code trials} recorded ones. A
     * direction that sees no state change within 5 s is counted as a timeout; the trial then waits
     * for the state to settle before the next one.
     *
     * @return the write→DRAINING and delete→RUNNING samples, in that order
     */
    LatencySamples[] run(int warmup, int trials) throws IOException, InterruptedException {
        DrainState start = control.blocking().withDeadlineAfter(10, TimeUnit.SECONDS)
                .getState(GetStateRequest.getDefaultInstance());
        if (start.getPhase() != Phase.PHASE_RUNNING || Files.exists(marker)) {
            throw new IllegalStateException("expected RUNNING and no marker before the marker trials, got "
                    + start.getPhase());
        }
        String epoch = start.getEpoch();
        LatencySamples drain = new LatencySamples("marker written → WatchState DRAINING");
        LatencySamples resume = new LatencySamples("marker deleted → WatchState RUNNING");
        try (StateStream stream = new StateStream(control)) {
            if (stream.awaitPhase(Phase.PHASE_RUNNING, REACTION_TIMEOUT_NANOS) == null) {
                throw new IllegalStateException("WatchState sent no first state within 5 s");
            }
            for (int i = 0; i < warmup + trials; i++) {
                boolean recorded = i >= warmup;
                stream.discardPending();

                writeDurably(temp, referenceBody(epoch));
                long written = System.nanoTime();
                Files.move(temp, marker, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                record(stream.awaitPhase(Phase.PHASE_DRAINING, REACTION_TIMEOUT_NANOS), written, drain, recorded);

                long deleted = System.nanoTime();
                Files.delete(marker);
                StateStream.Received running = stream.awaitPhase(Phase.PHASE_RUNNING, REACTION_TIMEOUT_NANOS);
                record(running, deleted, resume, recorded);
                if (running == null && stream.awaitPhase(Phase.PHASE_RUNNING, REACTION_TIMEOUT_NANOS) == null) {
                    throw new IllegalStateException("the gateway did not return to RUNNING within 10 s of the "
                            + "marker's removal; even the poll tick missed it");
                }
            }
        } finally {
            Files.deleteIfExists(temp);
            Files.deleteIfExists(marker);
        }
        return new LatencySamples[] {drain, resume};
    }

    private static void record(StateStream.Received received, long since, LatencySamples samples, boolean recorded) {
        if (!recorded) {
            return;
        }
        if (received == null) {
            samples.addTimeout();
        } else {
            samples.add(received.arrivedNanos() - since);
        }
    }

    /** A drain marker with the reference gateway's five fields, nothing of Quiesce's. */
    static byte[] referenceBody(String epoch) {
        String json = "{\"action\": \"drain\", \"requested_at\": \"" + ISO_UTC.format(Instant.now())
                + "\", \"principal\": \"bench\", \"epoch\": \"" + jsonEscape(epoch)
                + "\", \"suppress_notification\": false}";
        return json.getBytes(StandardCharsets.UTF_8);
    }

    /** Writes {@code content} to {@code temp} and fsyncs it, as the reference's tooling does before its rename. */
    static void writeDurably(Path temp, byte[] content) throws IOException {
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buffer = ByteBuffer.wrap(content);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        }
    }

    private static String jsonEscape(String text) {
        return text.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
