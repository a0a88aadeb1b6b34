package dev.quiesce.api.rest;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.quiesce.drain.DrainStateBean;
import dev.quiesce.home.QuiesceHome;
import dev.quiesce.testing.GatewayState;
import dev.quiesce.testing.TestHome;
import dev.quiesce.testing.TestTokens;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Seeded random and mutated JSON bodies for {@code POST /api/gateway/drain} and
 * {@code POST /api/messages}, each sent over real HTTP (keep-alive loopback) to the running app:
 * never a 5xx; every refusal a 4xx with a JSON {@code {"error", "code"}} whose error is not blank;
 * a refusal changes nothing (version, phase, in flight, marker bytes); and a body that is answered
 * 2xx was one JSON object with only known fields (checked by a strict parser here). A failure
 * names the seed and the body.
 */
@QuarkusTest
@WithTestResource(TestHome.class)
class RestBodyFuzzTest {

    static final long SEED = 0x5eed_2026_1123L;
    static final int BODIES_PER_ENDPOINT = 2_000;

    private static final ObjectMapper STRICT = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private static final String[] TOKENS = {
        "{", "}", "[", "]", ":", ",", " ", "\n", "\t", "\"", "\\", "\"action\"", "\"drain\"", "\"cancel\"",
        "\"reason\"", "\"lease_seconds\"", "\"drain_id\"", "\"suppress_notification\"", "\"principal\"",
        "\"session_id\"", "\"sessionId\"", "\"text\"", "\"channel\"", "\"internal\"", "\"message_id\"", "true", "false",
        "null", "0", "-1", "1.5", "1e999", "9223372036854775808", "-9223372036854775809", "01", "NaN", "'", "x",
        "\\u00e9", "\\ud800", "\\udc00", "\\n", "\\q", "\u00e9", "\u2028", "\u0000", "\u007f", "\ufeff", "{}", "[]",
        "//", "/*", "*/", "\uD83D\uDE00",
    };

    @Inject
    DrainStateBean state;

    @Inject
    QuiesceHome home;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @AfterEach
    void leaveItRunning() {
        state.cancelDrain("fuzz", "");
    }

    @Test
    @Timeout(60)
    void randomDrainBodiesNeverGetA5xxAndARefusalChangesNothing() throws Exception {
        Map<Integer, Integer> tally = fuzz("/api/gateway/drain", List.of(
                "{\"action\": \"drain\", \"reason\": \"fuzz\", \"lease_seconds\": 600, \"suppress_notification\": true}",
                "{\"action\": \"cancel\", \"drain_id\": \"\"}",
                "{\"action\": \"drain\"}",
                "{\"action\": \"cancel\"}"),
                List.of("action", "reason", "lease_seconds", "suppress_notification", "drain_id"));

        assertThat(tally.keySet()).as("statuses seen %s", tally).allMatch(status -> status < 500);
        assertThat(tally.getOrDefault(200, 0)).as("some bodies must be accepted, %s", tally).isPositive();
        assertThat(tally.getOrDefault(400, 0)).as("most bodies must be refused, %s", tally).isGreaterThan(1_000);
    }

    @Test
    @Timeout(60)
    void randomMessageBodiesNeverGetA5xxAndARefusalStartsNothing() throws Exception {
        Map<Integer, Integer> tally = fuzz("/api/messages", List.of(
                "{\"session_id\": \"fuzz\", \"channel\": \"slack:C1\", \"text\": \"hello\", \"message_id\": \"m-1\","
                        + " \"internal\": false}",
                "{\"session_id\": \"fuzz\", \"text\": \"hi\", \"message_id\": \"m-2\"}",
                "{\"session_id\": \"fuzz\", \"text\": \"x\", \"internal\": true}"),
                List.of("session_id", "channel", "text", "internal", "message_id"));

        assertThat(tally.keySet()).as("statuses seen %s", tally).allMatch(status -> status < 500);
        assertThat(tally.getOrDefault(200, 0)).as("some bodies must be accepted, %s", tally).isPositive();
        assertThat(tally.getOrDefault(400, 0)).as("most bodies must be refused, %s", tally).isGreaterThan(1_000);
    }

    /** Sends {@link #BODIES_PER_ENDPOINT} bodies; returns how many got each status. */
    private Map<Integer, Integer> fuzz(String path, List<String> templates, List<String> knownFields) throws Exception {
        Random random = new Random(SEED ^ path.hashCode());
        Map<Integer, Integer> tally = new TreeMap<>();
        java.nio.file.Path marker = home.resolveFile(".drain_request.json");
        for (int i = 0; i < BODIES_PER_ENDPOINT; i++) {
            byte[] body = body(random, templates);
            String shown = "seed " + Long.toHexString(SEED) + ", body #" + i + " on " + path + ": "
                    + new String(body, StandardCharsets.UTF_8);
            GatewayState before = GatewayState.of(state, marker);

            HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + RestAssured.port + path))
                    .header("authorization", TestTokens.OPERATOR.bearer())
                    .header("content-type", "application/json")
                    .timeout(Duration.ofSeconds(20))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            int status = response.statusCode();
            tally.merge(status, 1, Integer::sum);

            assertThat(status).as(shown).isLessThan(500);
            if (status >= 400) {
                JsonNode error = STRICT.readTree(response.body());
                assertThat(error.path("error").asText()).as(shown).isNotBlank();
                assertThat(error.path("code").asText()).as(shown).isNotBlank();
                assertThat(GatewayState.of(state, marker)).as(shown).isEqualTo(before);
            } else {
                assertThat(isOneObjectOfKnownFields(body, knownFields)).as("accepted: " + shown).isTrue();
                settle();
            }
        }
        System.out.printf("RestBodyFuzzTest %s: %d bodies, statuses %s%n", path, BODIES_PER_ENDPOINT, tally);
        return tally;
    }

    /**
     * After an accepted body: waits until its turn has released its slot, and ends a drain with a
     * short lease at once, so neither a release nor an expiry can land during the next refusal.
     */
    private void settle() {
        if (state.current().inFlightCount() != 0) {
            await().pollInterval(Duration.ofMillis(5)).until(() -> state.current().inFlightCount() == 0);
        }
        var drain = state.current().drain();
        if (drain != null && drain.leaseExpiresAt() != null
                && drain.leaseExpiresAt().isBefore(java.time.Instant.now().plusSeconds(120))) {
            state.cancelDrain("fuzz", "");
        }
    }

    private static boolean isOneObjectOfKnownFields(byte[] body, List<String> knownFields) {
        try {
            JsonNode root = STRICT.readTree(new String(body, StandardCharsets.UTF_8));
            if (root == null || !root.isObject()) {
                return false;
            }
            for (var names = root.fieldNames(); names.hasNext(); ) {
                if (!knownFields.contains(names.next())) {
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** One body: a template mutated one to four times, or (one in ten) random bytes. */
    static byte[] body(Random random, List<String> templates) {
        if (random.nextInt(10) == 0) {
            byte[] noise = new byte[random.nextInt(64)];
            random.nextBytes(noise);
            return noise;
        }
        String body = templates.get(random.nextInt(templates.size()));
        int mutations = 1 + random.nextInt(4);
        for (int m = 0; m < mutations; m++) {
            body = mutate(random, body);
        }
        return body.getBytes(StandardCharsets.UTF_8);
    }

    private static String mutate(Random random, String body) {
        int at = body.isEmpty() ? 0 : random.nextInt(body.length() + 1);
        String token = TOKENS[random.nextInt(TOKENS.length)];
        return switch (random.nextInt(9)) {
            case 0 -> body.substring(0, at) + token + body.substring(at);                           // insert
            case 1 -> at < body.length() ? body.substring(0, at) + body.substring(at + 1) : body;   // delete
            case 2 -> at < body.length() ? body.substring(0, at) + token + body.substring(at + 1) : body + token;
            case 3 -> body.substring(0, at);                                                         // truncate
            case 4 -> body + body.substring(at);                                                     // repeat a tail
            case 5 -> replaceAValue(random, body, randomValue(random, 2));
            case 6 -> body.replaceFirst("\\{", "{\"" + randomKey(random) + "\": " + randomValue(random, 2) + ", ");
            case 7 -> randomValue(random, 3);                                                        // from scratch
            default -> replaceAValue(random, body, "\"" + "v".repeat(random.nextBoolean() ? 257 : 70_000) + "\"");
        };
    }

    /** Replaces the value after one of the body's colons, up to the next comma or brace. */
    private static String replaceAValue(Random random, String body, String value) {
        int colon = body.indexOf(':', random.nextInt(Math.max(1, body.length())));
        if (colon < 0) {
            colon = body.indexOf(':');
        }
        if (colon < 0) {
            return body;
        }
        int end = colon + 1;
        while (end < body.length() && body.charAt(end) != ',' && body.charAt(end) != '}') {
            end++;
        }
        return body.substring(0, colon + 1) + " " + value + body.substring(end);
    }

    private static String randomKey(Random random) {
        String[] keys = {"action", "reason", "lease_seconds", "drain_id", "suppress_notification", "principal",
            "session_id", "sessionId", "text", "internal", "channel", "message_id", "", "ACTION", "x"};
        return keys[random.nextInt(keys.length)];
    }

    static String randomValue(Random random, int depth) {
        int kind = random.nextInt(depth > 0 ? 10 : 8);
        return switch (kind) {
            case 0 -> "null";
            case 1 -> random.nextBoolean() ? "true" : "false";
            case 2 -> Long.toString(random.nextLong() >> random.nextInt(64));
            case 3 -> Double.toString(random.nextGaussian() * 1e6);
            case 4 -> List.of("\"drain\"", "\"cancel\"", "\"\"", "\"d-0\"", "\"fuzz\"").get(random.nextInt(5));
            case 5 -> "\"" + TOKENS[random.nextInt(TOKENS.length)].replace("\"", "") + "\"";
            case 6 -> Integer.toString(random.nextInt(100_000) - 10);
            case 7 -> "\"s" + random.nextInt(1000) + "\"";
            case 8 -> "[" + randomValue(random, depth - 1) + ", " + randomValue(random, depth - 1) + "]";
            default -> "{\"" + randomKey(random) + "\": " + randomValue(random, depth - 1) + "}";
        };
    }
}
