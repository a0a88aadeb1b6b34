package dev.quiesce.pipeline;

import dev.quiesce.testing.TestConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Which handler {@code quiesce.turn.*} selects, and the errors that stop a misconfigured start. */
class TurnHandlerSetupTest {

    private static TurnHandler handlerFor(Map<String, String> properties) {
        return new TurnHandlerSetup().handler(TestConfig.of(properties));
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
    void anUnknownHandlerIsRefusedByNameWithTheAllowedOnes() {
        assertThatThrownBy(() -> handlerFor(Map.of("quiesce.turn.handler", "ecco")))
                .hasMessageContaining("quiesce.turn.handler").hasMessageContaining("ecco")
                .hasMessageContaining("echo").hasMessageContaining("http");
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
