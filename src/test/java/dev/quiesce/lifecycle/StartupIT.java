package dev.quiesce.lifecycle;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How the packaged application starts: with the defaults and a fresh home it starts without a single
 * warning, so a WARN at start always means something.
 */
class StartupIT {

    private static final Duration START = Duration.ofSeconds(30);

    @Test
    void aFreshHomeWithTheDefaultsStartsAndStopsWithoutAWarning() throws Exception {
        Path home = PackagedApp.newHome();
        Files.delete(home.resolve("tokens")); // fresh: the gateway generates its first token

        List<String> log;
        try (PackagedApp app = PackagedApp.start(home, Map.of(), PackagedApp.FAST_START)) {
            assertThat(app.terminate(START).code()).isZero();
            log = Files.readAllLines(app.log);
        }

        assertThat(log).anyMatch(line -> line.contains("generated a token"))
                .anyMatch(line -> line.contains("Listening on"))
                .noneMatch(line -> line.contains(" WARN ") || line.contains(" ERROR ") || line.startsWith("WARNING"));
    }
}
