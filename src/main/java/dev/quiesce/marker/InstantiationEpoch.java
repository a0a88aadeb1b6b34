package dev.quiesce.marker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The identity of this machine/container instantiation: {@code "<boot_id>:<pid1_start>"}.
 *
 * <p>The kernel boot id changes when a VM reboots; PID 1's start time (field 22 of
 * {@code /proc/1/stat}) changes when a container restarts on the same kernel. A gateway process
 * restarted under the same PID 1 keeps the epoch, so a drain it acknowledged is still honoured;
 * a recreated machine gets a new one, so a marker left on a durable volume cannot wedge it.
 *
 * <p>Stateless and thread-safe. Callers compute it once at startup.
 */
public final class InstantiationEpoch {

    private InstantiationEpoch() {}

    /**
     * Reads the epoch under {@code procRoot}. Never throws: an unreadable part is empty, and when
     * both are unreadable the result is {@code ""}, which disables the epoch check downstream
     * (degrading to presence-only markers, never refusing to start).
     */
    public static String read(Path procRoot) {
        String bootId = readTrimmed(procRoot.resolve("sys/kernel/random/boot_id"));
        String pid1Start = pid1StartTime(readTrimmed(procRoot.resolve("1/stat")));
        if (bootId.isEmpty() && pid1Start.isEmpty()) {
            return "";
        }
        return bootId + ":" + pid1Start;
    }

    /**
     * Field 22 of a {@code /proc/<pid>/stat} line. The command name (field 2) may hold spaces and
     * parentheses, so the line is split after its last ')'; the tail starts at field 3.
     */
    static String pid1StartTime(String stat) {
        int close = stat.lastIndexOf(')');
        if (close < 0) {
            return "";
        }
        String[] tail = stat.substring(close + 1).trim().split("\\s+");
        return tail.length > 19 ? tail[19] : "";
    }

    private static String readTrimmed(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8).trim();
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }
}
