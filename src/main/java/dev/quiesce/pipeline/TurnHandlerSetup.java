package dev.quiesce.pipeline;

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
     * @throws IllegalStateException naming the property to fix: an unknown handler, or {@code http}
     *     without a URL
     */
    @Produces
    @Singleton
    @Startup // the pipeline is created lazily, at the first message; a config error must not wait for it
    TurnHandler handler(QuiesceConfig config) {
        QuiesceConfig.Turn turn = config.turn();
        switch (turn.handler()) {
            case "echo":
                Log.infof("Turn handler: echo (delay %s)", turn.echo().delay());
                return new EchoTurnHandler(turn.echo().delay());
            case "http":
                String url = turn.http().url().filter(u -> !u.isBlank()).orElseThrow(() -> new IllegalStateException(
                        "quiesce.turn.handler=http needs quiesce.turn.http.url (the agent backend's URL)"));
                URI uri = backendUri(url);
                Log.infof("Turn handler: http %s (timeout %s)", url, turn.http().timeout());
                return new HttpTurnHandler(uri, turn.http().timeout(), turn.http().connectTimeout());
            default:
                throw new IllegalStateException("quiesce.turn.handler must be 'echo' or 'http', not '"
                        + turn.handler() + "'");
        }
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
