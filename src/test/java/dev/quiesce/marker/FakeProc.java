package dev.quiesce.marker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A fake {@code /proc} tree holding only what {@link InstantiationEpoch} reads:
 * {@code sys/kernel/random/boot_id} and {@code 1/stat}. Changing either simulates a restart.
 */
final class FakeProc {

    static final String BOOT_ID = "b3d6e574-7a48-4df7-869a-a272f157b1e1";
    static final String OTHER_BOOT_ID = "0c0e7f5e-2d1a-4c4b-9a53-54e1d7c3f00d";

    private final Path root;

    FakeProc(Path root) {
        this.root = root;
    }

    Path root() {
        return root;
    }

    /** Writes the boot id as the kernel does, with a trailing newline. */
    FakeProc bootId(String bootId) {
        write(root.resolve("sys/kernel/random/boot_id"), bootId + "\n");
        return this;
    }

    /** Writes a PID 1 stat line for an init called {@code comm} started at {@code startTime} ticks. */
    FakeProc pid1(String comm, long startTime) {
        return pid1Stat(statLine(comm, Long.toString(startTime)));
    }

    FakeProc pid1Stat(String line) {
        write(root.resolve("1/stat"), line);
        return this;
    }

    /** The epoch {@link InstantiationEpoch} computes from this tree now. */
    String epoch() {
        return InstantiationEpoch.read(root);
    }

    /**
     * A real-looking {@code /proc/1/stat} line (52 fields) with {@code startTime} as field 22 and
     * other numbers around it that must not be mistaken for it.
     */
    static String statLine(String comm, String startTime) {
        return "1 (" + comm + ") S 0 1 1 0 -1 4194560 10603 289377 0 137 14 58 764 414 20 0 1 0 "
                + startTime
                + " 34713600 2119 18446744073709551615 1 1 0 0 0 0 0 4096 1256 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0"
                + " 0\n";
    }

    private static void write(Path file, String content) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, content, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
