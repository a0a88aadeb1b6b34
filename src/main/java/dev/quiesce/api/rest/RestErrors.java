package dev.quiesce.api.rest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quiesce.api.Refusal;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** JSON error bodies for the REST API: {@code {"error": "<what to do>", "code": "<gRPC-style code>"}}. */
final class RestErrors {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Longest error description sent, in characters. */
    static final int MAX_DESCRIPTION = 1000;

    private RestErrors() {}

    static Response invalid(String message) {
        return error(Refusal.INVALID_ARGUMENT, message);
    }

    /** The answer to a refusal both APIs make: its row's HTTP status and code name. */
    static Response error(Refusal refusal, String message) {
        return error(refusal.httpStatus(), refusal.codeName(), message);
    }

    static Response error(int status, String code, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(json(code, message)).build();
    }

    /** The error body as JSON text, for answers written outside JAX-RS. */
    static String json(String code, String message) {
        ObjectNode body = JSON.createObjectNode();
        body.put("error", bounded(message));
        body.put("code", code);
        return body.toString();
    }

    /**
     * {@code message} cut to {@link #MAX_DESCRIPTION} characters: a description may quote what the
     * caller sent, and a multi-megabyte field must not come back as a multi-megabyte error.
     */
    static String bounded(String message) {
        if (message.length() <= MAX_DESCRIPTION) {
            return message;
        }
        return message.substring(0, MAX_DESCRIPTION) + "… (" + message.length() + " characters in all)";
    }
}
