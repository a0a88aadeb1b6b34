package dev.quiesce.home;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;

/**
 * The gateway's home directory, where the marker, tokens, status file and audit log live.
 *
 * @param path the resolved absolute directory
 */
public record QuiesceHome(Path path) {

    /**
     * Resolves the home: {@code configured} when set, else env {@code HERMES_HOME} (the reference's
     * variable, so both gateways can share one home), else {@code <userHome>/.quiesce}.
     */
    public static QuiesceHome resolve(Optional<String> configured, Map<String, String> env, String userHome) {
        String chosen = configured.filter(s -> !s.isBlank())
                .orElseGet(() -> {
                    String hermes = env.get("HERMES_HOME");
                    return hermes != null && !hermes.isBlank() ? hermes : Path.of(userHome, ".quiesce").toString();
                });
        return new QuiesceHome(Path.of(chosen).toAbsolutePath().normalize());
    }

    /**
     * Creates the directory (and its parents) when missing, mode 0700. An existing directory's
     * mode is left as the operator set it.
     *
     * @throws IOException when it does not exist and cannot be created
     */
    public QuiesceHome ensureExists() throws IOException {
        if (!Files.isDirectory(path)) {
            Files.createDirectories(path);
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwx------"));
        }
        return this;
    }

    /** A file in the home. */
    public Path resolveFile(String name) {
        return path.resolve(name);
    }
}
