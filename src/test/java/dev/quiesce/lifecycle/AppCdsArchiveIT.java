package dev.quiesce.lifecycle;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The AppCDS recipe of the container image (src/main/docker/Dockerfile.jvm), run against the packaged
 * jar on this JVM: the archive it makes is one the JVM maps (with {@code -Xshare:on} a JVM that cannot
 * use it refuses to start), and the gateway started with it serves. Also: the build wrote its own
 * archive beside quarkus-run.jar (quarkus.package.jar.appcds.enabled).
 */
class AppCdsArchiveIT {

    private static final Path JAR = Path.of("target", "quarkus-app", "quarkus-run.jar");

    @Test
    void theImagesRecipeMakesAnArchiveTheJvmMapsAndTheGatewayServesWithIt(@TempDir Path dir) throws Exception {
        Path archive = dir.resolve("app-cds.jsa");
        List<String> dump = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:ArchiveClassesAtExit=" + archive, "-Dquarkus.appcds.generate=true", "-jar", JAR.toString()));
        Process dumping = new ProcessBuilder(dump).redirectErrorStream(true)
                .redirectOutput(dir.resolve("dump.log").toFile()).start();
        assertThat(dumping.waitFor(120, TimeUnit.SECONDS)).as("the dump ends by itself").isTrue();
        assertThat(dumping.exitValue()).as(Files.readString(dir.resolve("dump.log"))).isZero();
        assertThat(archive).isNotEmptyFile();

        Path home = PackagedApp.newHome();
        PackagedApp app = PackagedApp.start(home, Map.of(), List.of("-Xshare:on", "-XX:SharedArchiveFile=" + archive));
        try {
            assertThat(app.answersHealth()).isTrue();
            assertThat(app.tail()).doesNotContain("Unable to use shared archive");
        } finally {
            app.terminate(Duration.ofSeconds(30));
        }
    }

    @Test
    void theBuildWritesItsArchiveBesideTheJar() {
        assertThat(JAR.resolveSibling("app-cds.jsa")).isNotEmptyFile();
    }
}
