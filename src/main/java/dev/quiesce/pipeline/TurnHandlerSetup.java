package dev.quiesce.pipeline;

import dev.quiesce.config.Durations;
import dev.quiesce.config.OutboundHttp;
import dev.quiesce.config.QuiesceConfig;
import io.quarkus.logging.Log;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.net.URI;

/**
 * Picks the turn handler named by {@code quiesce.turn.handler}, once, at startup: a misconfigured
 * handler stops the application from starting instead of failing every message.
 */
@Singleton
public class TurnHandlerSetup {

    /**
     * @throws IllegalStateException naming the property to fix: {@code http} without a usable URL
     *     (an unknown handler never gets here: the config refuses it, naming the allowed values)
     */
    @Produces
    @Singleton
    @Startup // the pipeline is created lazily, at the first message; a config error must not wait for it
    TurnHandler handler(QuiesceConfig config) {
        QuiesceConfig.Turn turn = config.turn();
        return switch (turn.handler()) {
            case ECHO -> {
                Log.infof("Turn handler: echo (delay %s)", Durations.readable(turn.echo().delay()));
                yield new EchoTurnHandler(turn.echo().delay());
            }
            case HTTP -> {
                String url = turn.http().url().filter(u -> !u.isBlank()).orElseThrow(() -> new IllegalStateException(
                        "quiesce.turn.handler=http needs quiesce.turn.http.url (the agent backend's URL)"));
                URI uri = backendUri(url);
                Log.infof("Turn handler: http %s (timeout %s)", url, Durations.readable(turn.http().timeout()));
                yield new HttpTurnHandler(uri, turn.http().timeout(), turn.http().connectTimeout());
            }
        };
    }

    /** Checked here, so a URL the HTTP client would refuse fails the start, not every turn. */
    private static URI backendUri(String url) {
        try {
            return OutboundHttp.parseUrl("quiesce.turn.http.url", url, OutboundHttp.Quoting.QUOTE);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(e.getMessage());
        }
    }
}
