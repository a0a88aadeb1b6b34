package dev.quiesce.api.rest;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.quiesce.api.Refusal;
import dev.quiesce.api.TurnMapper;
import dev.quiesce.auth.AuthException;
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

/**
 * {@code POST /api/messages}: the REST twin of {@code MessageGateway/HandleMessage}. Takes the
 * proto3 JSON of {@code InboundMessage} ({@code session_id} or {@code sessionId} alike) and answers
 * with the proto3 JSON of {@code TurnResult}, as grpcurl shows them. Bad input is a 400 JSON error.
 */
@Path("/api/messages")
public class MessageRestResource {

    private static final JsonFormat.Parser PARSER = JsonFormat.parser();

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
        dev.quiesce.api.v1.InboundMessage.Builder message = dev.quiesce.api.v1.InboundMessage.newBuilder();
        try {
            // Strictly one JSON object first: the proto3 JSON parser alone is lenient (it accepts
            // data after the object, single quotes, comments).
            JsonBodies.object(body, "{\"session_id\": \"...\", \"text\": \"...\"}");
            PARSER.merge(body, message);
        } catch (JsonBodies.BadBody e) {
            return Uni.createFrom().item(RestErrors.invalid(e.getMessage()));
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            return Uni.createFrom().item(RestErrors.invalid("the body is not a valid message: " + e.getMessage()));
        }
        try {
            caller.principal().authorizeMessage(message.getInternal());
        } catch (AuthException e) {
            return Uni.createFrom().item(RestErrors.error(Refusal.of(e.kind()), e.description()));
        }
        try {
            return pipeline.handle(TurnMapper.fromProto(message.build()))
                    .map(outcome -> DrainRestResource.json(200, TurnMapper.toProto(outcome)));
        } catch (InvalidMessageException e) {
            return Uni.createFrom().item(RestErrors.invalid(e.getMessage()));
        }
    }
}
