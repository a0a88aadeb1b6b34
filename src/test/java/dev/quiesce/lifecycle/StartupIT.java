package dev.quiesce.lifecycle;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How the packaged application starts: with settings that cannot work it exits non-zero naming the
 * property before it serves anything, and with the defaults and a fresh home it starts without a
 * single warning, so a WARN at start always means something.
 */
class StartupIT {

    private static final Duration START = Duration.ofSeconds(30);

    @Test
    void aMaxLeaseShorterThanTheDefaultLeaseRefusesToStartNamingBothProperties() throws Exception {
        PackagedApp.Finished start = PackagedApp.runToExit(PackagedApp.newHome(),
                Map.of("quiesce.drain.max-lease", "10m"), START);

        assertThat(start.exit().code()).isNotZero();
        assertThat(start.output()).contains("quiesce.drain.default-lease (1h)", "quiesce.drain.max-lease (10m)")
                .doesNotContain("Listening on");
    }

    @Test
    void aNegativeDrainTimeoutRefusesToStartBeforeTheHomeIsTouched() throws Exception {
        Path home = PackagedApp.newHome();

        PackagedApp.Finished start = PackagedApp.runToExit(home,
                Map.of("quiesce.shutdown.drain-timeout", "-5s"), START);

        assertThat(start.exit().code()).isNotZero();
        assertThat(start.output()).contains("quiesce.shutdown.drain-timeout", "\"-5s\"", "0s or longer")
                .doesNotContain("waiting up to", "Listening on");
        assertThat(home.resolve(".lock")).doesNotExist();
    }

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
