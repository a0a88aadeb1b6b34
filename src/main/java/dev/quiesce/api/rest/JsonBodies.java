package dev.quiesce.api.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * What every REST request body must be before a resource looks at its fields: sent as
 * {@code application/json} (or with no content type), and exactly one JSON object — no trailing
 * data after it, no key given twice (which value would win is a guess a drain must not rest on),
 * no string that is not Unicode text. Then its fields, the same way for every endpoint: only the
 * documented snake_case names, each of its exact JSON type (a string field takes a string, a
 * boolean {@code true} or {@code false}, not {@code "true"}, a number a whole number), {@code null}
 * the same as absent. Stateless and thread-safe.
 */
final class JsonBodies {

    private static final ObjectMapper STRICT = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private JsonBodies() {}

    /**
     * Why {@code contentType} is not acceptable, or empty when it is {@code application/json}
     * (any parameters, any case) or absent. {@code application/jsonx} and {@code text/json} are not.
     */
    static Optional<String> contentTypeProblem(String contentType) {
        if (contentType == null || contentType.isBlank()) {
            return Optional.empty();
        }
        int semicolon = contentType.indexOf(';');
        String mediaType = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).strip();
        if (mediaType.toLowerCase(Locale.ROOT).equals("application/json")) {
            return Optional.empty();
        }
        return Optional.of("send the body as application/json (got " + contentType + ")");
    }

    /**
     * The body as one JSON object.
     *
     * @param example a minimal valid body, quoted in the description of an empty one
     * @throws BadBody describing what is wrong: empty, not JSON, trailing data, a duplicate key,
     *     or a JSON value that is not an object
     */
    static JsonNode object(String body, String example) {
        if (body == null || body.isBlank()) {
            throw new BadBody("the body is empty; send " + example);
        }
        JsonNode root;
        try {
            root = STRICT.readTree(body);
        } catch (JsonProcessingException e) {
            if (e.getOriginalMessage().startsWith("Trailing token")) {
                throw new BadBody("the body has more after its JSON object; send exactly one object, e.g. " + example);
            }
            throw new BadBody("the body is not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || root.isMissingNode()) {
            throw new BadBody("the body is empty; send " + example);
        }
        if (!root.isObject()) {
            throw new BadBody("the body must be a JSON object, not " + root.getNodeType().name().toLowerCase(Locale.ROOT));
        }
        rejectUnpairedSurrogates(root, "");
        return root;
    }

    /**
     * A JSON string may spell an unpaired UTF-16 surrogate (a backslash-u escape in D800-DFFF),
     * which is no Unicode text: gRPC refuses such a string (it is not UTF-8), and written into a
     * marker or a log it would come back as something else. REST refuses it too.
     */
    private static void rejectUnpairedSurrogates(JsonNode node, String where) {
        if (node.isTextual() && hasUnpairedSurrogate(node.textValue())) {
            throw new BadBody("the string at '" + where + "' holds an unpaired UTF-16 surrogate (\\uD800-\\uDFFF "
                    + "escape); send valid Unicode text");
        }
        for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (hasUnpairedSurrogate(field.getKey())) {
                throw new BadBody("a field name holds an unpaired UTF-16 surrogate; send valid Unicode text");
            }
            rejectUnpairedSurrogates(field.getValue(), where.isEmpty() ? field.getKey() : where + "." + field.getKey());
        }
        for (int i = 0; node.isArray() && i < node.size(); i++) {
            rejectUnpairedSurrogates(node.get(i), where + "[" + i + "]");
        }
    }

    private static boolean hasUnpairedSurrogate(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Refuses a field of {@code root} that is not one of {@code allowed}, naming it, and its snake_case
     * spelling when that one is allowed (a client that sends {@code sessionId} means {@code session_id}).
     *
     * @throws BadBody naming the first unknown field
     */
    static void onlyFields(JsonNode root, Set<String> allowed) {
        for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!allowed.contains(name)) {
                String snake = name.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
                throw new BadBody("unknown field '" + name + "'"
                        + (allowed.contains(snake) ? " (the fields are snake_case: send '" + snake + "')" : "")
                        + "; allowed: " + String.join(", ", new TreeSet<>(allowed)));
            }
        }
    }

    /**
     * The string {@code field}, or "" when it is absent or null.
     *
     * @throws BadBody when it is of another type
     */
    static String text(JsonNode root, String field) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return "";
        }
        if (!node.isTextual()) {
            throw new BadBody("'" + field + "' must be a string, not " + node);
        }
        return node.textValue();
    }

    /**
     * The boolean {@code field}, or false when it is absent or null.
     *
     * @throws BadBody when it is of another type ({@code "true"} is a string)
     */
    static boolean bool(JsonNode root, String field) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return false;
        }
        if (!node.isBoolean()) {
            throw new BadBody("'" + field + "' must be true or false, not " + node);
        }
        return node.booleanValue();
    }

    /**
     * The whole number {@code field}, or 0 when it is absent or null.
     *
     * @param what what the number counts, for the description ({@code "seconds"})
     * @throws BadBody when it is of another type, has a fraction, or does not fit a long
     */
    static long integer(JsonNode root, String field, String what) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return 0;
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong()) {
            throw new BadBody("'" + field + "' must be a whole number of " + what + ", not " + node);
        }
        return node.longValue();
    }

    /**
     * A body that is not one JSON object, or a field that is not what the endpoint takes; the
     * message says what to fix.
     */
    static final class BadBody extends RuntimeException {
        BadBody(String message) {
            super(message, null, false, false);
        }
    }
}
