package dev.quiesce.config;

import dev.quiesce.testing.TestConfig;
import io.smallrye.config.ConfigValidationException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The values and relations that stop a start, read by SmallRye Config as the application reads them
 * ({@link ConfigConverters} on the mapping) and checked as the first startup bean checks them
 * ({@link QuiesceConfigCheck}).
 */
class ConfigValidationTest {

    /** Every duration, and whether 0 means something for it. */
    private static final String DURATIONS = """
            quiesce.marker.max-age, positive
            quiesce.drain.default-lease, positive
            quiesce.drain.max-lease, positive
            quiesce.turn.http.timeout, positive
            quiesce.turn.http.connect-timeout, positive
            quiesce.notify.budget, positive
            quiesce.notify.webhook.timeout, positive
            quiesce.turn.echo.delay, zero allowed
            quiesce.shutdown.drain-timeout, zero allowed
            quiesce.notify.home-min-interval, zero allowed
            """;

    @Test
    void theDefaultsPassEveryCheck() {
        QuiesceConfig config = TestConfig.of(Map.of());

        assertThat(QuiesceConfigCheck.problems(config)).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(textBlock = DURATIONS)
    void aNegativeDurationIsRefusedNamingThePropertyAndTheValue(String property, String zero) {
        assertThatThrownBy(() -> TestConfig.of(Map.of(property, "-5s")))
                .isInstanceOf(ConfigValidationException.class)
                .hasMessageContaining(property)
                .hasMessageContaining("\"-5s\"")
                .hasMessageContaining(zero.equals("positive") ? "longer than 0s is needed" : "0s or longer is needed");
    }

    @ParameterizedTest
    @CsvSource(textBlock = DURATIONS)
    void zeroIsRefusedUnlessItMeansSomethingForTheProperty(String property, String zero) {
        if (zero.equals("positive")) {
            assertThatThrownBy(() -> TestConfig.of(Map.of(property, "0s")))
                    .hasMessageContaining(property).hasMessageContaining("longer than 0s is needed");
        } else {
            assertThat(TestConfig.of(Map.of(property, "0s"))).isNotNull();
        }
    }

    @ParameterizedTest
    @CsvSource(textBlock = DURATIONS)
    void textThatIsNoDurationIsRefusedSayingHowToWriteOne(String property, String zero) {
        assertThatThrownBy(() -> TestConfig.of(Map.of(property, "soon")))
                .hasMessageContaining(property).hasMessageContaining("\"soon\"").hasMessageContaining("30s");
    }

    @Test
    void everyBadValueIsListedInTheOneRefusal() {
        assertThatThrownBy(() -> TestConfig.of(Map.of("quiesce.shutdown.drain-timeout", "-5s",
                "quiesce.notify.budget", "0s", "quiesce.notify.webhook.attempts", "0")))
                .isInstanceOfSatisfying(ConfigValidationException.class,
                        e -> assertThat(e.getProblemCount()).isEqualTo(3))
                .hasMessageContaining("quiesce.shutdown.drain-timeout")
                .hasMessageContaining("quiesce.notify.budget")
                .hasMessageContaining("quiesce.notify.webhook.attempts");
    }

    @ParameterizedTest
    @ValueSource(strings = {"quiesce.marker.poll-interval", "quiesce.auth.reload-interval"})
    void aScheduleIsKeptAsTextWhenItIsAPositiveDuration(String property) {
        QuiesceConfig config = TestConfig.of(Map.of(property, "250ms"));

        assertThat(property.contains("marker") ? config.marker().pollInterval() : config.auth().reloadInterval())
                .isEqualTo("250ms");
    }

    @ParameterizedTest
    @CsvSource({
        "quiesce.marker.poll-interval, -1s, longer than 0s",
        "quiesce.marker.poll-interval, 0s, longer than 0s",
        "quiesce.marker.poll-interval, every second, not a duration",
        "quiesce.marker.poll-interval, off, cannot be turned off",
        "quiesce.auth.reload-interval, -1s, longer than 0s",
        "quiesce.auth.reload-interval, Disabled, cannot be turned off",
        "quiesce.auth.reload-interval, 1 minute, not a duration"})
    void aScheduleTheSchedulerWouldMisreadOrNeverRunIsRefused(String property, String value, String why) {
        assertThatThrownBy(() -> TestConfig.of(Map.of(property, value)))
                .hasMessageContaining(property).hasMessageContaining("\"" + value + "\"").hasMessageContaining(why);
    }

    @ParameterizedTest
    @CsvSource({"0, at least 1", "-3, at least 1", "three, a whole number"})
    void aWebhookThatWouldNeverBeTriedIsRefused(String attempts, String why) {
        assertThatThrownBy(() -> TestConfig.of(Map.of("quiesce.notify.webhook.attempts", attempts)))
                .hasMessageContaining("quiesce.notify.webhook.attempts").hasMessageContaining(why);
    }

    @Test
    void oneWebhookAttemptIsEnough() {
        assertThat(TestConfig.of(Map.of("quiesce.notify.webhook.attempts", "1")).notifications().webhook().attempts())
                .isEqualTo(1);
    }

    @Test
    void aDefaultLeaseLongerThanTheMaximumIsRefusedNamingBothProperties() {
        QuiesceConfig config = TestConfig.of(Map.of("quiesce.drain.max-lease", "10m"));

        assertThat(QuiesceConfigCheck.problems(config)).singleElement().asString()
                .contains("quiesce.drain.default-lease (1h)", "quiesce.drain.max-lease (10m)");
        assertThatThrownBy(() -> new QuiesceConfigCheck(config))
                .isInstanceOf(ConfigValidationException.class)
                .hasMessageContaining("quiesce.drain.default-lease").hasMessageContaining("quiesce.drain.max-lease");
    }

    @Test
    void aDefaultLeaseAsLongAsTheMaximumIsFine() {
        QuiesceConfig config = TestConfig.of(Map.of("quiesce.drain.default-lease", "10m",
                "quiesce.drain.max-lease", "10m"));

        assertThat(QuiesceConfigCheck.problems(config)).isEmpty();
        assertThat(config.drain().maxLease()).isEqualTo(Duration.ofMinutes(10));
    }
}
