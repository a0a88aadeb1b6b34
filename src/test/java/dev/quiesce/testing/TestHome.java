package dev.quiesce.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A fresh home directory for one Quarkus application start: a tokens file with the
 * {@link TestTokens} (so tests know tokens of each scope), and a fake {@code /proc} root with a
 * known epoch ({@link #EPOCH}), so tests can write same-epoch and stale-epoch markers. Subclasses
 * may put files in the home before the application starts (see {@link #prepare(Path)}).
 *
 * <p>Tests reach the paths through the application's config ({@code quiesce.home}).
 */
public class TestHome implements QuarkusTestResourceLifecycleManager {

    public static final String BOOT_ID = "5f1e7a1c-test-boot";
    public static final String PID1_START = "4242";
    /** The epoch of the application under test. */
    public static final String EPOCH = BOOT_ID + ":" + PID1_START;

    private Path root;

    @Override
    public Map<String, String> start() {
        try {
            root = Files.createTempDirectory("quiesce-test-");
            Path home = Files.createDirectory(root.resolve("home"));
            Path proc = root.resolve("proc");
            Files.createDirectories(proc.resolve("sys/kernel/random"));
            Files.createDirectories(proc.resolve("1"));
            Files.writeString(proc.resolve("sys/kernel/random/boot_id"), BOOT_ID + "\n");
            Files.writeString(proc.resolve("1/stat"), "1 (init) S 0 1 1 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 "
                    + PID1_START + " 1000 100 18446744073709551615\n");
            StringBuilder tokens = new StringBuilder("# test tokens\n");
            for (TestTokens token : TestTokens.values()) {
                tokens.append(token.line()).append('\n');
            }
            Files.writeString(home.resolve("tokens"), tokens);
            prepare(home);
            return Map.of("quiesce.home", home.toString(), "quiesce.epoch.proc-root", proc.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Hook for subclasses: files to put in the home before the application starts. */
    protected void prepare(Path home) throws IOException {}

    @Override
    public void stop() {
        // Left for inspection after a failure; /tmp is cleaned by the machine.
    }
}
