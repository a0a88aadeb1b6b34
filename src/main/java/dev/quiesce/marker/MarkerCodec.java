package dev.quiesce.marker;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quiesce.home.IsoTimes;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Locale;

/**
 * Converts between {@link DrainMarker} and the marker file's bytes. Thread-safe.
 *
 * <p>Decoding is lenient per field (a wrong-typed field reads as missing) and strict on the whole
 * (the file must be one UTF-8 JSON object and nothing else, as Python's {@code json.loads} wants).
 */
final class MarkerCodec {

    private static final ObjectMapper JSON =
            new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private MarkerCodec() {}

    /** The reference's five keys first, then Quiesce's; absent optional values are left out. */
    static byte[] encode(DrainMarker marker) {
        ObjectNode body = JSON.createObjectNode();
        body.put("action", marker.action() == null ? DrainMarker.ACTION_DRAIN : marker.action());
        body.put("requested_at", marker.requestedAt() == null ? null : IsoTimes.format(marker.requestedAt()));
        body.put("principal", marker.principal());
        body.put("epoch", marker.epoch() == null ? "" : marker.epoch());
        body.put("suppress_notification", marker.suppressNotification());
        if (marker.drainId() != null) {
            body.put("drain_id", marker.drainId());
        }
        if (marker.reason() != null) {
            body.put("reason", marker.reason());
        }
        if (marker.leaseExpiresAt() != null) {
            body.put("lease_expires_at", IsoTimes.format(marker.leaseExpiresAt()));
        }
        if (marker.renewedAt() != null) {
            body.put("renewed_at", IsoTimes.format(marker.renewedAt()));
        }
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a marker body could not be serialised", e);
        }
    }

    /**
     * Decodes a marker file's bytes.
     *
     * @return the marker
     * @throws MarkerFormatException with the problem when the bytes are not one JSON object
     */
    static DrainMarker decode(byte[] bytes) throws MarkerFormatException {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new MarkerFormatException("not UTF-8 text");
        }
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new MarkerFormatException("not valid JSON: " + e.getOriginalMessage());
        } catch (RuntimeException e) {
            // Whatever the parser chokes on is still a file someone wrote: fail toward draining.
            throw new MarkerFormatException("not parseable: " + e.getClass().getSimpleName());
        }
        if (root == null || root.isMissingNode()) {
            throw new MarkerFormatException("empty file");
        }
        if (!root.isObject()) {
            throw new MarkerFormatException("JSON " + root.getNodeType().name().toLowerCase(Locale.ROOT) + ", not an object");
        }
        return new DrainMarker(
                text(root, "action"),
                time(root, "requested_at"),
                text(root, "principal"),
                epoch(root.get("epoch")),
                root.path("suppress_notification").isBoolean() && root.get("suppress_notification").booleanValue(),
                text(root, "drain_id"),
                text(root, "reason"),
                time(root, "lease_expires_at"),
                time(root, "renewed_at"));
    }

    private static String text(JsonNode root, String field) {
        JsonNode node = root.get(field);
        return node != null && node.isTextual() ? node.textValue() : null;
    }

    private static Instant time(JsonNode root, String field) {
        return IsoTimes.parse(text(root, field));
    }

    /**
     * An epoch of another type is kept as its JSON text, so it differs from ours and the marker is
     * ignored as stale: the reference, too, only honours a missing/empty or equal epoch.
     */
    private static String epoch(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isTextual()) {
            return node.textValue();
        }
        if (node.isBoolean() && !node.booleanValue() || node.isNumber() && node.asDouble() == 0
                || node.isContainerNode() && node.isEmpty()) {
            return null; // falsy in Python: the reference treats it as "no epoch"
        }
        return node.toString();
    }

    /** The bytes are not a JSON object; the message says why. */
    static final class MarkerFormatException extends Exception {
        MarkerFormatException(String problem) {
            super(problem, null, false, false);
        }
    }
}
