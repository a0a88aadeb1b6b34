package dev.quiesce.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiesce.config.QuiesceConfig;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which handler {@code quiesce.turn.*} selects, and the errors that stop a misconfigured start. */
class TurnHandlerSetupTest {

    private static TurnHandler handlerFor(Map<String, String> properties) {
        QuiesceConfig config = new SmallRyeConfigBuilder()
                .withMapping(QuiesceConfig.class)
                .withConverter(Duration.class, 100, new DurationConverter()) // "1h", as Quarkus reads it
                .withSources(new PropertiesConfigSource(properties, "test", 100))
                .build()
                .getConfigMapping(QuiesceConfig.class);
        return new TurnHandlerSetup().handler(config);
    }

    @Test
    void echoIsTheDefault() {
        assertThat(handlerFor(Map.of())).isInstanceOf(EchoTurnHandler.class);
    }

    @Test
    void httpWithAUrlPostsToIt() {
        assertThat(handlerFor(Map.of("quiesce.turn.handler", "http", "quiesce.turn.http.url", "http://127.0.0.1:9000/turn")))
                .isInstanceOf(HttpTurnHandler.class);
    }

    @Test
    void anUnknownHandlerIsRefusedByName() {
        assertThatThrownBy(() -> handlerFor(Map.of("quiesce.turn.handler", "ecco")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("quiesce.turn.handler").hasMessageContaining("'ecco'");
    }

    @Test
    void httpWithoutAUrlIsRefused() {
        assertThatThrownBy(() -> handlerFor(Map.of("quiesce.turn.handler", "http")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("quiesce.turn.http.url");
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost:9000/turn", "ftp://backend/turn", "http:///turn", "http://bad host/"})
    void httpWithAUrlTheClientCannotUseIsRefused(String url) {
        assertThatThrownBy(() -> handlerFor(Map.of("quiesce.turn.handler", "http", "quiesce.turn.http.url", url)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("quiesce.turn.http.url").hasMessageContaining(url);
    }
}
