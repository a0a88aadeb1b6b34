package dev.quiesce.drain;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quiesce.home.IsoTimes;
import dev.quiesce.home.QuiesceHome;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;

/**
 * {@code <home>/drain-audit.jsonl}: one JSON object per line for every begin, renew, cancel,
 * expiry and shutdown, with the principal, reason, drain_id, turns in flight and outcome.
 * Append-only, mode 0600. A failed append is logged once per distinct cause and never fails the
 * transition that caused it (the transition has already happened). Thread-safe.
 */
@ApplicationScoped
public class DrainAuditLog implements DrainListener {

    public static final String FILE_NAME = "drain-audit.jsonl";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path path;
    private String lastError = "";

    @Inject
    public DrainAuditLog(QuiesceHome home) {
        this.path = home.resolveFile(FILE_NAME);
    }

    @Override
    public void onEvent(DrainEvent event) {
        ObjectNode line = JSON.createObjectNode();
        line.put("time", IsoTimes.format(event.time()));
        line.put("event", event.kind().wireName());
        line.put("principal", event.principal());
        line.put("reason", event.reason());
        line.put("drain_id", event.drainId());
        line.put("in_flight", event.inFlight());
        line.put("outcome", event.outcome());
        if (!event.detail().isEmpty()) {
            line.put("detail", event.detail());
        }
        append(line);
    }

    /** Appends one line; used by the shutdown sequence for its summary too. Never throws. */
    public synchronized void append(ObjectNode line) {
        try (FileChannel channel = FileChannel.open(path,
                EnumSet.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
            ByteBuffer bytes = ByteBuffer.wrap((JSON.writeValueAsString(line) + "\n").getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
            lastError = "";
        } catch (IOException | RuntimeException e) {
            if (!e.toString().equals(lastError)) {
                Log.warnf("Could not append to the audit log %s: %s", path, e.toString());
            }
            lastError = e.toString();
        }
    }

    public Path path() {
        return path;
    }
}
