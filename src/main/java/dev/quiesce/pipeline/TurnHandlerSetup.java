package dev.quiesce.pipeline;

import dev.quiesce.config.QuiesceConfig;
import io.quarkus.logging.Log;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.net.URI;

/** Picks the turn handler named by {@code quiesce.turn.handler}, once, at startup. */
@Singleton
public class TurnHandlerSetup {

    @Produces
    @Singleton
    TurnHandler handler(QuiesceConfig config) {
        QuiesceConfig.Turn turn = config.turn();
        switch (turn.handler()) {
            case "echo":
                Log.infof("Turn handler: echo (delay %s)", turn.echo().delay());
                return new EchoTurnHandler(turn.echo().delay());
            case "http":
                String url = turn.http().url().filter(u -> !u.isBlank()).orElseThrow(() -> new IllegalStateException(
                        "quiesce.turn.handler=http needs quiesce.turn.http.url (the agent backend's URL)"));
                Log.infof("Turn handler: http %s (timeout %s)", url, turn.http().timeout());
                return new HttpTurnHandler(URI.create(url), turn.http().timeout(), turn.http().connectTimeout());
            default:
                throw new IllegalStateException("quiesce.turn.handler must be 'echo' or 'http', not '"
                        + turn.handler() + "'");
        }
    }
}
