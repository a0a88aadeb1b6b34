package dev.quiesce.marker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class MarkerCodecTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    static final String REFERENCE_MARKER = "{\"action\": \"drain\", \"requested_at\": \"2026-06-26T07:47:19.123456+00:00\", "
            + "\"principal\": \"nas\", \"epoch\": \"b3d6e574-7a48-4df7-869a-a272f157b1e1:14\", "
            + "\"suppress_notification\": true}";

    private static final DrainMarker FULL = new DrainMarker("drain", Instant.parse("2026-06-26T07:47:19.123456Z"), "nas",
            "boot:14", true, "d-42", "image migration", Instant.parse("2026-06-26T08:47:19.123456Z"));

    @Test
    void encodeWritesTheReferenceKeysFirstThenOursWithTheirJsonTypes() throws IOException {
        JsonNode body = JSON.readTree(MarkerCodec.encode(FULL));

        List<String> keys = new ArrayList<>();
        body.fieldNames().forEachRemaining(keys::add);
        assertEquals(List.of("action", "requested_at", "principal", "epoch", "suppress_notification",
                "drain_id", "reason", "lease_expires_at"), keys);
        assertEquals("drain", body.get("action").textValue());
        assertEquals("2026-06-26T07:47:19.123456+00:00", body.get("requested_at").textValue());
        assertEquals("nas", body.get("principal").textValue());
        assertEquals("boot:14", body.get("epoch").textValue());
        assertTrue(body.get("suppress_notification").isBoolean());
        assertTrue(body.get("suppress_notification").booleanValue());
        assertEquals("d-42", body.get("drain_id").textValue());
        assertEquals("image migration", body.get("reason").textValue());
        assertEquals("2026-06-26T08:47:19.123456+00:00", body.get("lease_expires_at").textValue());
    }

    @Test
    void encodeLeavesOutOptionalFieldsThatAreAbsent() throws IOException {
        DrainMarker legacyShaped = new DrainMarker("drain", Instant.parse("2026-06-26T07:47:19Z"), "nas", "boot:14",
                false, null, null, null);

        JsonNode body = JSON.readTree(MarkerCodec.encode(legacyShaped));

        assertEquals(5, body.size(), body.toString());
        assertFalse(body.has("drain_id"));
        assertFalse(body.has("reason"));
        assertFalse(body.has("lease_expires_at"));
        assertTrue(body.get("suppress_notification").isBoolean());
        assertFalse(body.get("suppress_notification").booleanValue());
    }

    @Test
    void encodeDefaultsTheActionToDrainAndTheEpochToEmpty() throws IOException {
        JsonNode body = JSON.readTree(MarkerCodec.encode(
                new DrainMarker(null, Instant.parse("2026-06-26T07:47:19Z"), "nas", null, false, null, null, null)));

        assertEquals(DrainMarker.ACTION_DRAIN, body.get("action").textValue());
        assertEquals("", body.get("epoch").textValue());
    }

    @Test
    void encodeWritesUtf8ThatDecodesToTheSameText() throws Exception {
        DrainMarker marker = new DrainMarker("drain", Instant.parse("2026-06-26T07:47:19Z"), "opérateur",
                "boot:14", false, "d-1", "Wartung \u2013 \"quoted\" \\ \u2713 \ud83d\ude80", null);

        byte[] bytes = MarkerCodec.encode(marker);

        assertEquals(marker, MarkerCodec.decode(bytes));
        assertTrue(new String(bytes, StandardCharsets.UTF_8).contains("opérateur"));
    }

    @Test
    void referenceMarkerIsUnderstood() throws Exception {
        DrainMarker marker = MarkerCodec.decode(REFERENCE_MARKER.getBytes(StandardCharsets.UTF_8));

        assertEquals(new DrainMarker("drain", Instant.parse("2026-06-26T07:47:19.123456Z"), "nas",
                "b3d6e574-7a48-4df7-869a-a272f157b1e1:14", true, null, null, null), marker);
    }

    @Test
    void emptyObjectIsAMarkerWithEveryFieldMissing() throws Exception {
        assertEquals(new DrainMarker(null, null, null, null, false, null, null, null), decode("{}"));
    }

    @Test
    void wrongTypedFieldsReadAsMissing() throws Exception {
        DrainMarker marker = decode("{\"action\": 1, \"requested_at\": 1782460039, \"principal\": [\"nas\"],"
                + " \"suppress_notification\": \"true\", \"drain_id\": {\"id\": \"d-1\"}, \"reason\": false,"
                + " \"lease_expires_at\": 1782463639.5}");

        assertEquals(new DrainMarker(null, null, null, null, false, null, null, null), marker);
    }

    @Test
    void unparseableTimestampsReadAsMissing() throws Exception {
        DrainMarker marker = decode("{\"requested_at\": \"just now\", \"lease_expires_at\": \"in an hour\"}");

        assertNull(marker.requestedAt());
        assertNull(marker.leaseExpiresAt());
    }

    @Test
    void unknownFieldsAreIgnored() throws Exception {
        DrainMarker marker = decode("{\"principal\": \"nas\", \"kind\": \"auto-update\", \"nested\": {\"a\": [1, 2]}}");

        assertEquals("nas", marker.principal());
    }

    @Test
    void duplicateKeysKeepTheLastValueAsPythonDoes() throws Exception {
        DrainMarker marker = decode("{\"suppress_notification\": false, \"suppress_notification\": true,"
                + " \"principal\": \"first\", \"principal\": \"last\"}");

        assertTrue(marker.suppressNotification());
        assertEquals("last", marker.principal());
    }

    @Test
    void suppressNotificationIsTrueForALiteralJsonTrue() throws Exception {
        assertTrue(decode("{\"suppress_notification\": true}").suppressNotification());
    }

    @ParameterizedTest
    @ValueSource(strings = {"false", "\"true\"", "\"yes\"", "1", "1.0", "null", "[true]", "{\"v\": true}", "\"\""})
    void suppressNotificationIsFalseForAnythingButLiteralTrue(String value) throws Exception {
        assertFalse(decode("{\"suppress_notification\": " + value + "}").suppressNotification());
    }

    @Test
    void missingSuppressNotificationIsFalse() throws Exception {
        assertFalse(decode("{\"action\": \"drain\"}").suppressNotification());
    }

    /** Python's truthiness decides what the reference takes for "no epoch"; anything else must differ from ours. */
    @ParameterizedTest(name = "epoch {0} reads as [{1}]")
    @CsvSource(delimiter = '|', nullValues = "NULL", value = {
        "\"boot:14\"  | boot:14",
        "\"\"         | ''",
        "null         | NULL",
        "false        | NULL",
        "0            | NULL",
        "0.0          | NULL",
        "[]           | NULL",
        "{}           | NULL",
        "true         | true",
        "14           | 14",
        "[\"boot:14\"]| [\"boot:14\"]",
    })
    void epochOfAnyTypeReadsAsPythonWouldCompareIt(String json, String expected) throws Exception {
        assertEquals(expected, decode("{\"epoch\": " + json + "}").epoch());
    }

    @Test
    void missingEpochReadsAsNull() throws Exception {
        assertNull(decode("{\"action\": \"drain\"}").epoch());
    }

    @Test
    void trailingWhitespaceIsAllowed() throws Exception {
        assertEquals("nas", decode("\n  {\"principal\": \"nas\"}\n\r\n\t ").principal());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", " \n\t\r ", "[]", "[{\"action\": \"drain\"}]", "null", "42", "-1.5e3", "true",
        "\"str\"", "{} x", "{}{}", "{} []", "{", "}", "{\"action\": \"drain\"", "{\"action\": \"drain\",}",
        "{'action': 'drain'}", "{action: \"drain\"}", "// comment\n{}", "{\"a\": NaN}", "{\"a\": 01}",
        "{\"a\": \"tab\there\"}", "{\"a\": \"\\q\"}", "\u0000{}", "{}\u0000", "x{}"})
    void anythingButOneJsonObjectIsRejected(String text) {
        MarkerCodec.MarkerFormatException problem =
                assertThrows(MarkerCodec.MarkerFormatException.class, () -> decode(text));
        assertFalse(problem.getMessage().isBlank());
    }

    @Test
    void invalidUtf8IsRejectedEvenInsideAString() {
        byte[] bytes = "{\"principal\": \"n?s\"}".getBytes(StandardCharsets.US_ASCII);
        bytes[16] = (byte) 0xC3; // a lead byte followed by an ASCII 's': malformed

        MarkerCodec.MarkerFormatException problem =
                assertThrows(MarkerCodec.MarkerFormatException.class, () -> MarkerCodec.decode(bytes));
        assertEquals("not UTF-8 text", problem.getMessage());
    }

    /** Python's {@code json.loads} refuses a BOM too, so the reference reads such a file as contentless. */
    @Test
    void leadingByteOrderMarkIsRejectedAsThePythonReferenceDoes() {
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, '{', '}'};

        assertThrows(MarkerCodec.MarkerFormatException.class, () -> MarkerCodec.decode(bom));
    }

    @Test
    void rejectionSaysWhatWasFound() {
        assertEquals("empty file", assertThrows(MarkerCodec.MarkerFormatException.class, () -> decode("  ")).getMessage());
        assertEquals("JSON array, not an object",
                assertThrows(MarkerCodec.MarkerFormatException.class, () -> decode("[]")).getMessage());
    }

    private static DrainMarker decode(String text) throws MarkerCodec.MarkerFormatException {
        return MarkerCodec.decode(text.getBytes(StandardCharsets.UTF_8));
    }
}
