package dev.quiesce.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiesce.deploy.Dockerfile.Instruction;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * After {@code package} (failsafe runs this in {@code integration-test}): every source the
 * Dockerfile copies exists and is not empty, so {@code docker build} right after {@code ./mvnw
 * package} finds the application where it looks.
 */
class DockerfileCopySourcesIT {

    @Test
    void everyCopySourceExistsAfterPackage() throws IOException {
        for (Instruction copy : Dockerfile.read(Dockerfile.JVM).all("COPY")) {
            for (String source : copy.sources()) {
                List<Path> matches = matching(source);
                assertThat(matches).as("COPY source %s after package", source).isNotEmpty();
                for (Path match : matches) {
                    if (Files.isDirectory(match)) {
                        try (Stream<Path> files = Files.walk(match)) {
                            assertThat(files.filter(Files::isRegularFile).count()).as("files in %s", match).isPositive();
                        }
                    } else {
                        assertThat(Files.size(match)).as("size of %s", match).isPositive();
                    }
                }
            }
        }
    }

    @Test
    void theJarTheImageStartsIsPackaged() {
        String jar = Path.of(Dockerfile.read(Dockerfile.JVM).env("JAVA_APP_JAR")).getFileName().toString();

        assertThat(Path.of("target", "quarkus-app", jar)).isRegularFile();
    }

    /** The build-context paths a COPY source names: itself, or what its last segment's glob matches. */
    private static List<Path> matching(String source) throws IOException {
        Path path = Path.of(source);
        String last = path.getFileName().toString();
        if (!last.contains("*") && !last.contains("?")) {
            return Files.exists(path) ? List.of(path) : List.of();
        }
        List<Path> out = new ArrayList<>();
        if (Files.isDirectory(path.getParent())) {
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(path.getParent(), last)) {
                entries.forEach(out::add);
            }
        }
        return out;
    }
}
