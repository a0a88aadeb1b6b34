package dev.quiesce.api.rest;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.util.Optional;
import java.util.Set;

/**
 * The REST mirror of DrainControl for dashboards: {@code POST /api/gateway/drain} and
 * {@code GET /api/gateway/state}. Same auth and semantics as gRPC; the state is the proto3 JSON
 * mapping of {@code DrainState} ({@link ProtoJson}). The body's fields are read strictly
 * ({@link JsonBodies}). Bad input is a 4xx with a JSON body {@code {"error": "...", "code": "..."}},
 * never a 500 and never a state change.
 */
@Path("/api/gateway")
public class DrainRestResource {

    private static final Set<String> FIELDS = Set.of("action", "suppress_notification", "reason", "lease_seconds",
            "drain_id");

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
        return ProtoJson.ok(DrainStateMapper.toProto(state.current()));
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
        String principal = caller.principal().name();
        try {
            JsonNode root = JsonBodies.object(body, "{\"action\": \"drain\"} or {\"action\": \"cancel\"}");
            JsonBodies.onlyFields(root, FIELDS);
            JsonNode action = root.get("action");
            if (action == null || action.isNull()) {
                return RestErrors.invalid("'action' is required: \"drain\" or \"cancel\"");
            }
            if (!action.isTextual() || !Set.of("drain", "cancel").contains(action.textValue())) {
                return RestErrors.invalid("'action' must be \"drain\" or \"cancel\", not " + action);
            }
            DrainSnapshot after;
            if (action.textValue().equals("drain")) {
                after = state.beginDrain(new BeginDrainCommand(principal, JsonBodies.text(root, "reason"),
                        JsonBodies.bool(root, "suppress_notification"),
                        Duration.ofSeconds(JsonBodies.integer(root, "lease_seconds", "seconds"))));
            } else {
                after = state.cancelDrain(principal, JsonBodies.text(root, "drain_id"));
            }
            return ProtoJson.ok(DrainStateMapper.toProto(after));
        } catch (JsonBodies.BadBody e) {
            return RestErrors.invalid(e.getMessage());
        } catch (DrainRefusedException e) {
            return RestErrors.error(Refusal.of(e.reason()), e.getMessage());
        }
    }
}
