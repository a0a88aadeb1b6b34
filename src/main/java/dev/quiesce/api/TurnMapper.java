package dev.quiesce.api;

import dev.quiesce.api.v1.TurnResult;
import dev.quiesce.pipeline.InboundMessage;
import dev.quiesce.pipeline.TurnOutcome;

/** Messages and turn outcomes between wire and domain. Stateless and thread-safe. */
public final class TurnMapper {

    private TurnMapper() {}

    public static InboundMessage fromProto(dev.quiesce.api.v1.InboundMessage message) {
        return new InboundMessage(message.getSessionId(), message.getChannel(), message.getText(),
                message.getInternal(), message.getMessageId(), switch (message.getWhenPaused()) {
                    case WHEN_PAUSED_DEFER -> InboundMessage.WhenPaused.DEFER;
                    case WHEN_PAUSED_REFUSE -> InboundMessage.WhenPaused.REFUSE;
                    default -> InboundMessage.WhenPaused.AS_CONFIGURED;
                });
    }

    public static TurnResult toProto(TurnOutcome outcome) {
        return TurnResult.newBuilder()
                .setOutcome(switch (outcome.kind()) {
                    case COMPLETED -> dev.quiesce.api.v1.TurnOutcome.TURN_OUTCOME_COMPLETED;
                    case REFUSED_DRAINING -> dev.quiesce.api.v1.TurnOutcome.TURN_OUTCOME_REFUSED_DRAINING;
                    case REFUSED_STOPPING -> dev.quiesce.api.v1.TurnOutcome.TURN_OUTCOME_REFUSED_STOPPING;
                    case REFUSED_BUSY -> dev.quiesce.api.v1.TurnOutcome.TURN_OUTCOME_REFUSED_BUSY;
                    case INTERRUPTED -> dev.quiesce.api.v1.TurnOutcome.TURN_OUTCOME_INTERRUPTED;
                    case FAILED -> dev.quiesce.api.v1.TurnOutcome.TURN_OUTCOME_FAILED;
                    case DEFERRED -> dev.quiesce.api.v1.TurnOutcome.TURN_OUTCOME_DEFERRED;
                })
                .setReply(outcome.reply())
                .setTurnId(outcome.turnId())
                .setDeferredId(outcome.deferredId())
                .build();
    }
}
