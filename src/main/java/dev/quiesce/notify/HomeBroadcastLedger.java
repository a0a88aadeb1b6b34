package dev.quiesce.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quiesce.home.DurableFiles;
import dev.quiesce.home.IsoTimes;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;

/**
 * Remembers when the last home-channel broadcast was sent, in {@code <home>/.home_broadcast.json}
 * ({@code {"last_sent_at": "<UTC ISO-8601>", "channel": "<id>"}}), so a gateway caught in a
 * restart loop broadcasts at most once per {@code quiesce.notify.home-min-interval}.
 *
 * <p>The file lives in the home because the home outlives the process. It is written atomically
 * (temp file + rename, mode 0600). Reads never throw: whatever cannot be trusted reads as
 * {@link Read.Unusable}, which the notifier treats as "not sent recently" and so broadcasts —
 * a doubtful record fails toward the louder side. Thread-safe (stateless apart from the path).
 */
final class HomeBroadcastLedger {

    /** The file name in the home. */
    static final String FILE_NAME = ".home_broadcast.json";

    /** Larger files are not records this class wrote. */
    private static final int MAX_BYTES = 16 * 1024;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path path;

    HomeBroadcastLedger(Path home) {
        this.path = home.resolve(FILE_NAME);
    }

    Path path() {
        return path;
    }

    /** What the file says about the last broadcast. */
    sealed interface Read {

        /** No file: no broadcast was ever recorded. */
        record Never() implements Read {}

        /**
         * A broadcast was recorded.
         *
         * @param sentAt when it was delivered
         * @param channel where it went; empty when the file does not say
         */
        record Sent(Instant sentAt, String channel) implements Read {}

        /**
         * A file exists but cannot be trusted (unreadable, not JSON, no usable time).
         *
         * @param problem what was wrong, for the log
         */
        record Unusable(String problem) implements Read {}
    }

    /** Reads the record. Never throws. */
    Read read() {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(path)) {
            bytes = in.readNBytes(MAX_BYTES + 1);
        } catch (NoSuchFileException e) {
            return new Read.Never();
        } catch (IOException | RuntimeException e) {
            return new Read.Unusable("cannot read " + path + ": " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")"));
        }
        if (bytes.length > MAX_BYTES) {
            return new Read.Unusable(path + " is larger than " + MAX_BYTES + " bytes");
        }
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (IOException e) {
            return new Read.Unusable(path + " is not JSON");
        }
        if (root == null || !root.isObject()) {
            return new Read.Unusable(path + " is not a JSON object");
        }
        JsonNode sentAt = root.get("last_sent_at");
        Instant at = sentAt != null && sentAt.isTextual() ? IsoTimes.parse(sentAt.textValue()) : null;
        if (at == null) {
            return new Read.Unusable(path + " has no usable last_sent_at");
        }
        JsonNode channel = root.get("channel");
        return new Read.Sent(at, channel != null && channel.isTextual() ? channel.textValue() : "");
    }

    /**
     * Records a broadcast to {@code channel} at {@code sentAt}: temp file, fsync, rename, directory
     * fsync (the next instantiation may come up on a machine that was just restarted).
     *
     * @throws IOException when it cannot; the previous record (or its absence) is intact
     */
    void record(String channel, Instant sentAt) throws IOException {
        ObjectNode body = JSON.createObjectNode();
        body.put("last_sent_at", IsoTimes.format(sentAt));
        body.put("channel", channel);
        DurableFiles.replace(path, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(body), true);
    }
}
