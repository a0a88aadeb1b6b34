package dev.quiesce.bench.bare;

import dev.quiesce.api.v1.InboundMessage;
import dev.quiesce.api.v1.MessageGateway;
import dev.quiesce.api.v1.TurnOutcome;
import dev.quiesce.api.v1.TurnResult;
import io.grpc.Status;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Uni;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code quiesce.v1.MessageGateway} with nothing of Quiesce in it: the same empty-input check and a
 * reply of the same shape (outcome, the text, a turn id), returned as a Mutiny {@link Uni} on the
 * event loop exactly like the product's service. The framework's limit for the data-plane
 * benchmark. Thread-safe.
 */
@GrpcService
public class BareEchoService implements MessageGateway {

    private final AtomicLong turns = new AtomicLong();

    @Override
    public Uni<TurnResult> handleMessage(InboundMessage request) {
        if (request.getSessionId().isEmpty() || request.getText().isEmpty()) {
            return Uni.createFrom().failure(Status.INVALID_ARGUMENT
                    .withDescription("session_id and text are required").asRuntimeException());
        }
        return Uni.createFrom().item(request.getText())
                .map(text -> TurnResult.newBuilder()
                        .setOutcome(TurnOutcome.TURN_OUTCOME_COMPLETED)
                        .setReply(text)
                        .setTurnId("bare-" + turns.incrementAndGet())
                        .build());
    }
}
