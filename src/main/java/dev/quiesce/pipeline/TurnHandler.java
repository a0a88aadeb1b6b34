package dev.quiesce.pipeline;

import io.smallrye.mutiny.Uni;

/**
 * Runs one turn and produces the agent's reply. Chosen by {@code quiesce.turn.handler}.
 *
 * <p>Implementations must be thread-safe, must not block the calling thread, and must stop their
 * work (abort an outbound request, cancel a timer) when the returned {@link Uni} is cancelled:
 * that is how an interrupted or abandoned turn frees its resources. A {@link TurnFailedException}
 * failing the Uni becomes a FAILED turn whose reply quotes its message; any other failure is answered
 * with a generic text (and logged).
 */
public interface TurnHandler {

    Uni<String> run(TurnRequest turn);
}
