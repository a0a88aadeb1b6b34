package dev.quiesce.config;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/** Durations in texts read as the configuration spells them. */
class DurationsTest {

    @ParameterizedTest
    @CsvSource({"PT0S, 0s", "PT1S, 1s", "PT5M, 5m", "PT1H, 1h", "PT1M30S, 1m30s", "PT-5S, -5s", "PT0.25S, 0.25s",
        "PT-0.25S, -0.25s", "PT1.5S, 1.5s", "PT24H, 24h"})
    void aDurationIsSpelledAsTheConfigSpellsIt(Duration duration, String spelled) {
        assertThat(Durations.readable(duration)).isEqualTo(spelled);
    }
}
