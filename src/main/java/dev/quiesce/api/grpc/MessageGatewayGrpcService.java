package dev.quiesce.api.grpc;

import dev.quiesce.api.Refusal;
import dev.quiesce.api.TurnMapper;
import dev.quiesce.api.v1.InboundMessage;
import dev.quiesce.api.v1.MessageGateway;
import dev.quiesce.api.v1.TurnResult;
import dev.quiesce.auth.AuthException;
import dev.quiesce.auth.Principal;
import dev.quiesce.pipeline.InvalidMessageException;
import dev.quiesce.pipeline.MessagePipeline;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;

/**
 * {@code quiesce.v1.MessageGateway}: the {@code internal} scope check
 * ({@link Principal#authorizeMessage}) and validation, then the pipeline. Refusals (draining,
 * stopping, busy) are normal results; only bad input is an error. Non-blocking: the turn runs
 * asynchronously and the call completes when it ends.
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
        try {
            GrpcCaller.principal().authorizeMessage(request.getInternal());
            return pipeline.handle(TurnMapper.fromProto(request), TurnMapper::toProto);
        } catch (AuthException e) {
            return Uni.createFrom().failure(Refusal.of(e.kind()).toGrpc(e.description()));
        } catch (InvalidMessageException e) {
            return Uni.createFrom().failure(Refusal.INVALID_ARGUMENT.toGrpc(e.getMessage()));
        }
    }
}
