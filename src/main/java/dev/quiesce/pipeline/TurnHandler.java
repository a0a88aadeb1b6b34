package dev.quiesce.pipeline;

import io.smallrye.mutiny.Uni;

/**
 * Runs one turn and produces the agent's reply. Chosen by {@code quiesce.turn.handler}.
 *
 * <p>Implementations must be thread-safe, must not block the calling thread, and must stop their
 * work (abort an outbound request, cancel a timer) when the returned {@link Uni} is cancelled:
 * that is how an interrupted or abandoned turn frees its resources. A failure of the Uni becomes
 * a FAILED turn whose reply quotes the failure's message, so messages must be fit for a user.
 */
public interface TurnHandler {

    Uni<String> run(TurnRequest turn);
}
