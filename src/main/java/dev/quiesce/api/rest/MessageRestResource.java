package dev.quiesce.api.rest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quiesce.api.Refusal;
import dev.quiesce.api.TurnMapper;
import dev.quiesce.auth.AuthException;
import dev.quiesce.pipeline.InboundMessage;
import dev.quiesce.pipeline.InvalidMessageException;
import dev.quiesce.pipeline.MessagePipeline;
import io.micrometer.core.annotation.Timed;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Optional;
import java.util.Set;

/**
 * {@code POST /api/messages}: the REST twin of {@code MessageGateway/HandleMessage}. Takes
 * {@code {"session_id": str, "channel": str, "text": str, "internal": bool, "message_id": str}}, read
 * as strictly as the drain endpoint's body ({@link JsonBodies}: these names only, each of its JSON
 * type), and answers with the proto3 JSON of {@code TurnResult} ({@link ProtoJson}), as grpcurl shows
 * it. Bad input is a 400 JSON error naming the field.
 */
@Path("/api/messages")
public class MessageRestResource {

    private static final Set<String> FIELDS = Set.of("session_id", "channel", "text", "internal", "message_id");

    private final MessagePipeline pipeline;
    private final RestCaller caller;

    @Inject
    public MessageRestResource(MessagePipeline pipeline, RestCaller caller) {
        this.pipeline = pipeline;
        this.caller = caller;
    }

    @Timed(value = RestTimer.NAME, description = RestTimer.DESCRIPTION)
    @POST
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> handle(String body, @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType) {
        Optional<String> wrongType = JsonBodies.contentTypeProblem(contentType);
        if (wrongType.isPresent()) {
            return Uni.createFrom().item(RestErrors.error(415, "UNSUPPORTED_MEDIA_TYPE", wrongType.get()));
        }
        InboundMessage message;
        try {
            JsonNode root = JsonBodies.object(body, "{\"session_id\": \"...\", \"text\": \"...\"}");
            JsonBodies.onlyFields(root, FIELDS);
            message = new InboundMessage(JsonBodies.text(root, "session_id"), JsonBodies.text(root, "channel"),
                    JsonBodies.text(root, "text"), JsonBodies.bool(root, "internal"),
                    JsonBodies.text(root, "message_id"));
        } catch (JsonBodies.BadBody e) {
            return Uni.createFrom().item(RestErrors.invalid(e.getMessage()));
        }
        try {
            caller.principal().authorizeMessage(message.internal());
        } catch (AuthException e) {
            return Uni.createFrom().item(RestErrors.error(Refusal.of(e.kind()), e.description()));
        }
        try {
            return pipeline.handle(message).map(outcome -> ProtoJson.ok(TurnMapper.toProto(outcome)));
        } catch (InvalidMessageException e) {
            return Uni.createFrom().item(RestErrors.invalid(e.getMessage()));
        }
    }
}
