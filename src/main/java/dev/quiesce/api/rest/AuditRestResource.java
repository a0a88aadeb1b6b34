package dev.quiesce.api.rest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quiesce.drain.DrainAuditLog;
import io.micrometer.core.annotation.Timed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code GET /api/gateway/audit?limit=N} (scope {@code read}): the newest lines of the audit log
 * ({@link DrainAuditLog}), newest first, as {@code {"events": [...]}}, each event the JSON object the
 * log holds. {@code limit} is 1 to 200, 20 when absent (an empty {@code limit=} reaches the resource as
 * absent); anything else is a 400 JSON error, a log that cannot be read a 503. Runs on a worker thread
 * (it reads a file). Thread-safe.
 */
@Path("/api/gateway/audit")
public class AuditRestResource {

    /** How many events an answer without {@code limit} has. */
    static final int DEFAULT_LIMIT = 20;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern WHOLE_NUMBER = Pattern.compile("[0-9]{1,9}");

    private final DrainAuditLog audit;

    @Inject
    public AuditRestResource(DrainAuditLog audit) {
        this.audit = audit;
    }

    @Timed(value = RestTimer.NAME, description = RestTimer.DESCRIPTION)
    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Response newest(@QueryParam("limit") String limit) {
        int count = DEFAULT_LIMIT;
        if (limit != null) {
            if (!WHOLE_NUMBER.matcher(limit).matches() || Integer.parseInt(limit) < 1
                    || Integer.parseInt(limit) > DrainAuditLog.MAX_NEWEST) {
                return RestErrors.invalid("limit must be a whole number from 1 to " + DrainAuditLog.MAX_NEWEST
                        + " (" + DEFAULT_LIMIT + " when left out), not '" + RestErrors.bounded(limit) + "'");
            }
            count = Integer.parseInt(limit);
        }
        List<ObjectNode> events;
        try {
            events = audit.newest(count);
        } catch (IOException e) {
            // No path and no message (which holds one): an answer names no file of the server.
            return RestErrors.error(503, "UNAVAILABLE", "the audit log (<home>/" + DrainAuditLog.FILE_NAME
                    + ") could not be read (" + e.getClass().getSimpleName() + "); check that the gateway can read "
                    + "its home directory");
        }
        ObjectNode body = JSON.createObjectNode();
        ArrayNode array = body.putArray("events");
        events.forEach(array::add);
        return Response.ok(body.toString(), MediaType.APPLICATION_JSON_TYPE).build();
    }
}
