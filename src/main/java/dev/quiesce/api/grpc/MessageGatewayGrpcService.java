package dev.quiesce.api.grpc;

import dev.quiesce.api.Refusal;
import dev.quiesce.api.TurnMapper;
import dev.quiesce.api.v1.InboundMessage;
import dev.quiesce.api.v1.MessageGateway;
import dev.quiesce.api.v1.TurnResult;
import dev.quiesce.auth.Principal;
import dev.quiesce.auth.Scope;
import dev.quiesce.pipeline.InvalidMessageException;
import dev.quiesce.pipeline.MessagePipeline;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;

/**
 * {@code quiesce.v1.MessageGateway}: validation and the {@code internal} scope check, then the
 * pipeline. Refusals (draining, stopping, busy) are normal results; only bad input is an error.
 * Non-blocking: the turn runs asynchronously and the call completes when it ends.
 */
@GrpcService
public class MessageGatewayGrpcService implements MessageGateway {

    private final MessagePipeline pipeline;

    @Inject
    public MessageGatewayGrpcService(MessagePipeline pipeline) {
        this.pipeline = pipeline;
    }

    @Override
    public Uni<TurnResult> handleMessage(InboundMessage request) {
        if (request.getInternal()) {
            Principal caller = GrpcCaller.principal();
            if (!caller.has(Scope.INTERNAL)) {
                return Uni.createFrom().failure(Refusal.PERMISSION_DENIED.toGrpc("token of principal '"
                        + caller.name() + "' lacks scope 'internal', needed for internal messages"));
            }
        }
        try {
            return pipeline.handle(TurnMapper.fromProto(request), TurnMapper::toProto);
        } catch (InvalidMessageException e) {
            return Uni.createFrom().failure(Refusal.INVALID_ARGUMENT.toGrpc(e.getMessage()));
        }
    }
}
