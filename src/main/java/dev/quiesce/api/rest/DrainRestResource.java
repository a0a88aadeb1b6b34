package dev.quiesce.api.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import dev.quiesce.api.DrainStateMapper;
import dev.quiesce.api.Refusal;
import dev.quiesce.drain.BeginDrainCommand;
import dev.quiesce.drain.DrainRefusedException;
import dev.quiesce.drain.DrainSnapshot;
import dev.quiesce.drain.DrainStateBean;
import io.micrometer.core.annotation.Timed;
import io.quarkus.arc.ClientProxy;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.util.Iterator;
import java.util.Optional;
import java.util.Set;

/**
 * The REST mirror of DrainControl for dashboards: {@code POST /api/gateway/drain} and
 * {@code GET /api/gateway/state}. Same auth and semantics as gRPC; the state is the proto3 JSON
 * mapping of {@code DrainState}. Bad input is a 4xx with a JSON body
 * {@code {"error": "...", "code": "..."}}, never a 500 and never a state change.
 */
@Path("/api/gateway")
public class DrainRestResource {

    private static final Set<String> FIELDS = Set.of("action", "suppress_notification", "reason", "lease_seconds",
            "drain_id");
    private static final JsonFormat.Printer PRINTER = JsonFormat.printer().alwaysPrintFieldsWithNoPresence();

    private final DrainStateBean state;
    private final RestCaller caller;

    @Inject
    public DrainRestResource(DrainStateBean state, RestCaller caller) {
        // GetState is called tens of thousands of times a second: the bean itself, no proxy lookup per call.
        this.state = ClientProxy.unwrap(state);
        this.caller = caller;
    }

    @Timed(value = RestTimer.NAME, description = RestTimer.DESCRIPTION)
    @GET
    @Path("/state")
    @Produces(MediaType.APPLICATION_JSON)
    public Response getState() {
        return json(200, DrainStateMapper.toProto(state.current()));
    }

    /**
     * {@code {"action": "drain"|"cancel", "suppress_notification": bool, "reason": str,
     * "lease_seconds": int, "drain_id": str}}; {@code action} is required.
     */
    @Timed(value = RestTimer.NAME, description = RestTimer.DESCRIPTION)
    @POST
    @Path("/drain")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Response drain(String body, @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType) {
        Optional<String> wrongType = JsonBodies.contentTypeProblem(contentType);
        if (wrongType.isPresent()) {
            return RestErrors.error(415, "UNSUPPORTED_MEDIA_TYPE", wrongType.get());
        }
        JsonNode root;
        try {
            root = JsonBodies.object(body, "{\"action\": \"drain\"} or {\"action\": \"cancel\"}");
        } catch (JsonBodies.BadBody e) {
            return RestErrors.invalid(e.getMessage());
        }
        for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                return RestErrors.invalid("unknown field '" + name + "'; allowed: " + String.join(", ", FIELDS.stream().sorted().toList()));
            }
        }
        JsonNode action = root.get("action");
        if (action == null || action.isNull()) {
            return RestErrors.invalid("'action' is required: \"drain\" or \"cancel\"");
        }
        if (!action.isTextual() || !Set.of("drain", "cancel").contains(action.textValue())) {
            return RestErrors.invalid("'action' must be \"drain\" or \"cancel\", not " + action);
        }
        String principal = caller.principal().name();
        try {
            DrainSnapshot after;
            if (action.textValue().equals("drain")) {
                after = state.beginDrain(new BeginDrainCommand(principal, text(root, "reason"),
                        bool(root, "suppress_notification"), Duration.ofSeconds(integer(root, "lease_seconds"))));
            } else {
                after = state.cancelDrain(principal, text(root, "drain_id"));
            }
            return json(200, DrainStateMapper.toProto(after));
        } catch (BadField e) {
            return RestErrors.invalid(e.getMessage());
        } catch (DrainRefusedException e) {
            return RestErrors.error(Refusal.of(e.reason()), e.getMessage());
        }
    }

    private static String text(JsonNode root, String field) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return "";
        }
        if (!node.isTextual()) {
            throw new BadField("'" + field + "' must be a string, not " + node);
        }
        return node.textValue();
    }

    private static boolean bool(JsonNode root, String field) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return false;
        }
        if (!node.isBoolean()) {
            throw new BadField("'" + field + "' must be true or false, not " + node);
        }
        return node.booleanValue();
    }

    private static long integer(JsonNode root, String field) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return 0;
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong()) {
            throw new BadField("'" + field + "' must be a whole number of seconds, not " + node);
        }
        return node.longValue();
    }

    static Response json(int status, MessageOrBuilder message) {
        try {
            return Response.status(status).type(MediaType.APPLICATION_JSON).entity(PRINTER.print(message)).build();
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("a DrainState could not be printed as JSON", e);
        }
    }

    /** A body field of the wrong type. */
    private static final class BadField extends RuntimeException {
        BadField(String message) {
            super(message, null, false, false);
        }
    }
}
