package dev.quiesce.api.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * Proto messages as the REST API answers them: their proto3 JSON mapping, as grpcurl shows them
 * (lowerCamelCase names, enums by name, 64-bit numbers as strings, every field present), written as
 * plain JSON.
 *
 * <p>Why not {@code JsonFormat}'s text as it is: its printer escapes the characters HTML gives a
 * meaning to, as Gson does: {@code '}, {@code <}, {@code >}, {@code &} and {@code =} come out as
 * backslash-u escapes (an apostrophe as the escape of 0027), so a reason {@code don't} came back
 * spelt with one. A JSON parser reads that back, but a person reading the answer, or a client
 * comparing strings, does not. The JSON is
 * read back and written again with Jackson, which escapes only what JSON requires: the same values,
 * character for character. (Error bodies are written by Jackson to begin with, {@link RestErrors}.)
 *
 * <p>Stateless and thread-safe.
 */
final class ProtoJson {

    private static final JsonFormat.Printer PRINTER = JsonFormat.printer().alwaysPrintFieldsWithNoPresence();
    private static final ObjectMapper JSON = new ObjectMapper();

    private ProtoJson() {}

    /** {@code message} as JSON text. */
    static String print(MessageOrBuilder message) {
        try {
            return JSON.writeValueAsString(JSON.readTree(PRINTER.print(message)));
        } catch (InvalidProtocolBufferException | JsonProcessingException e) {
            throw new IllegalStateException("a " + message.getDescriptorForType().getFullName()
                    + " could not be printed as JSON", e);
        }
    }

    /** A 200 answer with {@code message} as its JSON body. */
    static Response ok(MessageOrBuilder message) {
        return Response.ok(print(message), MediaType.APPLICATION_JSON_TYPE).build();
    }
}
