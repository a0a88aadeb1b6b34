package dev.quiesce.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Makes a directory (or, as root, a file) refuse changes for the length of a try-with-resources
 * block, so tests can make writes and removals fail.
 *
 * <p>Tests run as root here, and permission bits do not stop root: as root the directory is made
 * immutable with {@code chattr +i}; otherwise its mode becomes {@code r-x------}. Closing the
 * handle undoes it (always, or {@code @TempDir} cleanup fails). When neither works on this file
 * system the test is aborted, not passed.
 */
public final class UnwritableDirs {

    private UnwritableDirs() {}

    /** Undoes the change when closed; closing twice is harmless. */
    public interface Frozen extends AutoCloseable {
        @Override
        void close();
    }

    /** Makes {@code dir} refuse new, renamed and deleted entries until the handle is closed. */
    public static Frozen freeze(Path dir) {
        Frozen frozen = runningAsRoot() ? immutable(dir) : readOnlyMode(dir);
        Path probe = dir.resolve(".unwritable-probe");
        try {
            Files.createFile(probe);
        } catch (IOException refused) {
            return frozen; // as intended
        }
        frozen.close();
        try {
            Files.deleteIfExists(probe);
        } catch (IOException e) {
            // The @TempDir cleanup gets it.
        }
        Assumptions.abort("cannot make " + dir + " unwritable on this file system");
        return frozen;
    }

    /**
     * Makes {@code path} (a file or directory) immutable with {@code chattr +i}: it can be neither
     * replaced, renamed nor deleted, and a directory takes no new entries. Root only; aborts the
     * test otherwise.
     */
    public static Frozen immutable(Path path) {
        Assumptions.assumeTrue(runningAsRoot(), "chattr +i needs root");
        chattr("+i", path);
        boolean[] open = {true};
        return () -> {
            if (open[0]) {
                open[0] = false;
                chattr("-i", path);
            }
        };
    }

    /** True when this JVM runs as root (user name or effective uid 0). */
    public static boolean runningAsRoot() {
        if ("root".equals(System.getProperty("user.name"))) {
            return true;
        }
        try {
            Path probe = Files.createTempFile("uid-probe", ".tmp");
            try {
                return Integer.valueOf(0).equals(Files.getAttribute(probe, "unix:uid"));
            } finally {
                Files.deleteIfExists(probe);
            }
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    private static Frozen readOnlyMode(Path dir) {
        try {
            Set<PosixFilePermission> before = Files.getPosixFilePermissions(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("r-x------"));
            boolean[] open = {true};
            return () -> {
                if (open[0]) {
                    open[0] = false;
                    try {
                        Files.setPosixFilePermissions(dir, before);
                    } catch (IOException e) {
                        throw new IllegalStateException("could not restore the mode of " + dir, e);
                    }
                }
            };
        } catch (IOException e) {
            Assumptions.abort("cannot change the mode of " + dir + ": " + e);
            throw new AssertionError(e);
        }
    }

    private static void chattr(String flag, Path path) {
        try {
            Process process = new ProcessBuilder("chattr", flag, path.toString()).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("chattr " + flag + " " + path + " did not finish");
            }
            if (process.exitValue() != 0) {
                if ("+i".equals(flag)) {
                    Assumptions.abort("chattr +i is not supported here: " + output.trim());
                }
                throw new IllegalStateException("chattr " + flag + " " + path + " failed: " + output.trim());
            }
        } catch (IOException e) {
            if ("+i".equals(flag)) {
                Assumptions.abort("chattr is not available: " + e);
            }
            throw new IllegalStateException("chattr " + flag + " " + path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running chattr", e);
        }
    }
}
