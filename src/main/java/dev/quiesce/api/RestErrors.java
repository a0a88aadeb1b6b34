package dev.quiesce.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** JSON error bodies for the REST API: {@code {"error": "<what to do>", "code": "<gRPC-style code>"}}. */
final class RestErrors {

    private static final ObjectMapper JSON = new ObjectMapper();

    private RestErrors() {}

    static Response invalid(String message) {
        return error(400, "INVALID_ARGUMENT", message);
    }

    static Response error(int status, String code, String message) {
        ObjectNode body = JSON.createObjectNode();
        body.put("error", message);
        body.put("code", code);
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(body.toString()).build();
    }
}
