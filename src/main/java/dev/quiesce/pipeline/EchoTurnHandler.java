package dev.quiesce.pipeline;

import io.smallrye.mutiny.Uni;
import java.time.Duration;

/**
 * The embedded default: replies with the message text after a configurable delay, so the service
 * runs alone and a newcomer can watch a drain wait for a turn. Stateless and thread-safe; the delay
 * runs on Mutiny's scheduler and is cancelled with the turn.
 */
public final class EchoTurnHandler implements TurnHandler {

    private final Duration delay;

    public EchoTurnHandler(Duration delay) {
        this.delay = delay;
    }

    @Override
    public Uni<String> run(TurnRequest turn) {
        Uni<String> reply = Uni.createFrom().item(turn.text());
        return delay.isZero() ? reply : reply.onItem().delayIt().by(delay);
    }
}
