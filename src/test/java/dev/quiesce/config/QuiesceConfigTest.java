package dev.quiesce.config;

import dev.quiesce.config.QuiesceConfig.Notify.Sink;
import dev.quiesce.config.QuiesceConfig.Turn.Handler;
import dev.quiesce.testing.TestConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How SmallRye Config reads the settings with a choice of values or a default, as the application does. */
class QuiesceConfigTest {

    @ParameterizedTest
    @CsvSource({"echo, ECHO", "http, HTTP", "HTTP, HTTP", "Echo, ECHO", "' http ', HTTP"})
    void aTurnHandlerIsReadByItsNameInAnyCase(String value, Handler expected) {
        assertThat(TestConfig.of(Map.of("quiesce.turn.handler", value)).turn().handler()).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({"log, LOG", "webhook, WEBHOOK", "WEBHOOK, WEBHOOK", "Log, LOG"})
    void aNotificationSinkIsReadByItsNameInAnyCase(String value, Sink expected) {
        assertThat(TestConfig.of(Map.of("quiesce.notify.sink", value)).notifications().sink()).isEqualTo(expected);
    }

    @Test
    void theDefaultsAreTheEchoHandlerAndTheLogSink() {
        QuiesceConfig config = TestConfig.of(Map.of());

        assertThat(config.turn().handler()).isEqualTo(Handler.ECHO);
        assertThat(config.notifications().sink()).isEqualTo(Sink.LOG);
    }

    @Test
    void theTokensFileIsLookedAtEverySecondUnlessConfiguredOtherwise() {
        assertThat(TestConfig.of(Map.of()).auth().reloadInterval()).isEqualTo("1s");
        assertThat(TestConfig.of(Map.of("quiesce.auth.reload-interval", "250ms")).auth().reloadInterval())
                .isEqualTo("250ms");
    }

    @Test
    void aCamelCasedValueIsHyphenatedFirstAndSoRefused() {
        // SmallRye reads "WebHook" as "web-hook", which names no sink.
        assertThatThrownBy(() -> TestConfig.of(Map.of("quiesce.notify.sink", "WebHook")))
                .hasMessageContaining("quiesce.notify.sink").hasMessageContaining("allowed values");
    }

    @ParameterizedTest
    @CsvSource({"quiesce.turn.handler, nope, echo, http", "quiesce.notify.sink, slack, log, webhook"})
    void anUnknownValueIsRefusedNamingThePropertyTheValueAndTheAllowedOnes(String property, String value,
            String allowed, String other) {
        assertThatThrownBy(() -> TestConfig.of(Map.of(property, value)))
                .hasMessageContaining(property)
                .hasMessageContaining(value)
                .hasMessageContaining(allowed)
                .hasMessageContaining(other);
    }
}
