package dev.quiesce.api.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quiesce.drain.BeginDrainCommand;
import dev.quiesce.drain.DrainStateBean;
import dev.quiesce.home.QuiesceHome;
import dev.quiesce.testing.GatewayState;
import dev.quiesce.testing.RawHttp;
import dev.quiesce.testing.TestHome;
import dev.quiesce.testing.TestTokens;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bad input over REST, table-driven, against the running application over a plain socket
 * ({@link RawHttp}: any header bytes, any size, no content type at all): every case, once while
 * the gateway runs and once while it drains, gets its documented 4xx with a JSON body
 * {@code {"error", "code"}} whose error is not blank, never a 5xx, and leaves the state as it was
 * (version, phase, in flight, marker bytes).
 *
 * <p>Three refusals come from the HTTP server itself, before any application code runs, with an
 * empty body and only the status line to say why: a header block over 20 KiB (431), a chunked
 * body over the 10 MiB limit (413) and a path whose percent-encoding does not decode (400). Their
 * rows expect {@link #SERVER_OWN}: a 4xx with a reason phrase.
 */
@QuarkusTest
@WithTestResource(TestHome.class)
class BadInputRestTest {

    /** The code column of a refusal the HTTP server makes itself, with an empty body. */
    static final String SERVER_OWN = "(the server's own)";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DRAIN = "/api/gateway/drain";
    private static final String MESSAGES = "/api/messages";
    private static final String STATE = "/api/gateway/state";
    private static final String JSON_TYPE = "application/json";

    @Inject
    DrainStateBean state;

    @Inject
    QuiesceHome home;

    enum Phase { RUNNING, DRAINING }

    static Stream<Arguments> cases() {
        List<Object[]> table = new ArrayList<>();
        String op = TestTokens.OPERATOR.bearer();
        String drain = "{\"action\": \"drain\", \"reason\": \"bad input\"}";
        String hello = "{\"session_id\": \"bad-input\", \"text\": \"hello\"}";
        // --- tokens
        row(table, "no authorization header", post(DRAIN, null, JSON_TYPE, drain), 401, "UNAUTHENTICATED",
                "missing bearer token");
        row(table, "an empty authorization header", post(DRAIN, "", JSON_TYPE, drain), 401, "UNAUTHENTICATED",
                "missing bearer token");
        row(table, "the bare word Bearer", post(DRAIN, "Bearer", JSON_TYPE, drain), 401, "UNAUTHENTICATED",
                "empty bearer token");
        row(table, "Basic credentials", post(DRAIN, "Basic x", JSON_TYPE, drain), 401, "UNAUTHENTICATED",
                "not a bearer token");
        row(table, "a valid token without the Bearer scheme", post(DRAIN, TestTokens.OPERATOR.token, JSON_TYPE, drain),
                401, "UNAUTHENTICATED", "not a bearer token");
        row(table, "two words after Bearer", post(DRAIN, "Bearer a b", JSON_TYPE, drain), 401, "UNAUTHENTICATED",
                "malformed bearer token");
        row(table, "an unknown token", post(DRAIN, "Bearer qsc_unknown", JSON_TYPE, drain), 401, "UNAUTHENTICATED",
                "unknown bearer token");
        row(table, "a token with non-ASCII bytes", post(DRAIN, "Bearer t\u00e9st\u00ff", JSON_TYPE, drain), 401,
                "UNAUTHENTICATED", "unknown bearer token");
        row(table, "a 10 KB token", post(DRAIN, "Bearer " + "t".repeat(10 * 1024), JSON_TYPE, drain), 401,
                "UNAUTHENTICATED", "unknown bearer token");
        row(table, "a 64 KB header", with(post(DRAIN, op, JSON_TYPE, drain), r -> r.header("x-padding",
                "p".repeat(64 * 1024))), 431, SERVER_OWN, "");
        // --- scopes and endpoints
        row(table, "a drain with a read-only token", post(DRAIN, TestTokens.READER.bearer(), JSON_TYPE, drain), 403,
                "PERMISSION_DENIED", "lacks scope 'drain'");
        row(table, "the state with an ingest-only token", get(STATE, TestTokens.INGESTER.bearer()), 403,
                "PERMISSION_DENIED", "lacks scope 'read'");
        row(table, "a message with a drain token", post(MESSAGES, TestTokens.DRAINER.bearer(), JSON_TYPE, hello), 403,
                "PERMISSION_DENIED", "lacks scope 'ingest'");
        row(table, "an internal message without scope internal", post(MESSAGES, TestTokens.INGESTER.bearer(), JSON_TYPE,
                "{\"session_id\": \"s\", \"text\": \"t\", \"internal\": true}"), 403, "PERMISSION_DENIED",
                "lacks scope 'internal'");
        row(table, "GET on the drain endpoint", get(DRAIN, op), 405, "METHOD_NOT_ALLOWED",
                "/api/gateway/drain does not take GET; it takes POST");
        row(table, "GET on the drain endpoint without a token", RawHttp.request("GET", DRAIN), 401, "UNAUTHENTICATED",
                "missing bearer token");
        row(table, "an endpoint that does not exist", get("/api/gateway/restart", op), 404, "NOT_FOUND",
                "no such endpoint 'GET /api/gateway/restart'");
        row(table, "an endpoint that does not exist, without a token", RawHttp.request("GET", "/api/nope"), 404,
                "NOT_FOUND", "no such endpoint 'GET /api/nope'");
        row(table, "a path that does not percent-decode", get("/api/%zz", op), 400, SERVER_OWN, "");
        // --- content types
        row(table, "a text/plain drain", post(DRAIN, op, "text/plain", drain), 415, "UNSUPPORTED_MEDIA_TYPE",
                "application/json");
        row(table, "an application/jsonx drain", post(DRAIN, op, "application/jsonx", drain), 415,
                "UNSUPPORTED_MEDIA_TYPE", "application/json");
        row(table, "a form-encoded drain", post(DRAIN, op, "application/x-www-form-urlencoded", "action=drain"), 415,
                "UNSUPPORTED_MEDIA_TYPE", "application/json");
        row(table, "a content type that does not parse", post(DRAIN, op, "///;;", drain), 415,
                "UNSUPPORTED_MEDIA_TYPE", "application/json");
        row(table, "a text/plain message", post(MESSAGES, op, "text/plain", hello), 415, "UNSUPPORTED_MEDIA_TYPE",
                "application/json");
        row(table, "an accept header without JSON", with(post(DRAIN, op, JSON_TYPE, drain),
                r -> r.header("accept", "text/plain")), 406, "NOT_ACCEPTABLE", "application/json");
        row(table, "the state as XML", with(get(STATE, op), r -> r.header("accept", "application/xml")), 406,
                "NOT_ACCEPTABLE", "application/json");
        // --- drain bodies
        row(table, "no drain body at all", RawHttp.request("POST", DRAIN).header("authorization", op)
                .header("content-type", JSON_TYPE), 400, "INVALID_ARGUMENT", "the body is empty");
        for (String body : List.of("", "   \n", "null", "[]", "42", "\"drain\"", "true", "{not json",
                "{\"action\": \"drain\"} trailing", "{\"action\": \"drain\"} {}", "{\"action\": \"cancel\", \"action\": \"drain\"}",
                "{}", "{\"action\": \"restart\"}", "{\"action\": 5}", "{\"action\": null}", "{'action': 'drain'}",
                "{\"action\": \"drain\", /* c */ \"reason\": \"x\"}", "{\"action\": \"drain\",}",
                "{\"action\": \"drain\", \"principal\": \"mallory\"}", "{\"action\": \"drain\", \"reason\": 7}",
                "{\"action\": \"drain\", \"reason\": \"" + "r".repeat(257) + "\"}",
                "{\"action\": \"drain\", \"reason\": \"\\ud800\"}", "{\"action\": \"drain\", \"reason\": \"a\u0000b\"}",
                "{\"action\": \"drain\", \"lease_seconds\": -1}", "{\"action\": \"drain\", \"lease_seconds\": 1.5}",
                "{\"action\": \"drain\", \"lease_seconds\": \"600\"}", "{\"action\": \"drain\", \"lease_seconds\": 90000}",
                "{\"action\": \"drain\", \"lease_seconds\": 9223372036854775807}",
                "{\"action\": \"drain\", \"lease_seconds\": -9223372036854775808}",
                "{\"action\": \"drain\", \"lease_seconds\": 18446744073709551616}",
                "{\"action\": \"drain\", \"lease_seconds\": 1e999}", "{\"action\": \"drain\", \"lease_seconds\": NaN}",
                "{\"action\": \"drain\", \"lease_seconds\": " + "9".repeat(2000) + "}",
                "{\"action\": \"drain\", \"suppress_notification\": \"yes\"}",
                "{\"action\": \"cancel\", \"drain_id\": \"" + "d".repeat(257) + "\"}",
                "{\"action\": \"drain\", \"reason\": " + "[".repeat(5000) + "]".repeat(5000) + "}")) {
            row(table, "the drain body " + abbreviate(body), post(DRAIN, op, JSON_TYPE, body), 400, "INVALID_ARGUMENT", "");
        }
        row(table, "a drain body that is not UTF-8", post(DRAIN, op, JSON_TYPE, bytes("{\"action\": \"", 0xC3, 0x28,
                "\"}")), 400, "INVALID_ARGUMENT", "'action' must be");
        row(table, "a 3 MB reason", post(DRAIN, op, JSON_TYPE, "{\"action\": \"drain\", \"reason\": \""
                + "r".repeat(3 << 20) + "\"}"), 400, "INVALID_ARGUMENT", "reason is 3145728 characters");
        row(table, "a 12 MB drain body", post(DRAIN, op, JSON_TYPE, "{\"action\": \"drain\", \"reason\": \""
                + "r".repeat(12 << 20) + "\"}"), 413, "PAYLOAD_TOO_LARGE", "at most 10485760");
        table.add(new Object[] {"a drain_id that is not the active drain", post(DRAIN, op, JSON_TYPE,
                "{\"action\": \"cancel\", \"drain_id\": \"d-not-active\"}"),
            Map.of(Phase.RUNNING, 200, Phase.DRAINING, 409), "FAILED_PRECONDITION", "is not the active drain"});
        row(table, "a drain field in camelCase", post(DRAIN, op, JSON_TYPE,
                "{\"action\": \"drain\", \"leaseSeconds\": 60}"), 400, "INVALID_ARGUMENT",
                "unknown field 'leaseSeconds' (the fields are snake_case: send 'lease_seconds')");
        // --- message bodies: the documented snake_case names only, each field of its JSON type
        row(table, "a message field in camelCase", post(MESSAGES, op, JSON_TYPE,
                "{\"sessionId\": \"s\", \"text\": \"t\"}"), 400, "INVALID_ARGUMENT",
                "unknown field 'sessionId' (the fields are snake_case: send 'session_id')");
        row(table, "internal as a string", post(MESSAGES, op, JSON_TYPE,
                "{\"session_id\": \"s\", \"text\": \"t\", \"internal\": \"true\"}"), 400, "INVALID_ARGUMENT",
                "'internal' must be true or false, not \"true\"");
        for (String field : List.of("session_id", "channel", "text", "message_id")) {
            for (String value : List.of("5", "true", "[\"s\"]", "{}")) {
                Map<String, String> fields = new LinkedHashMap<>(Map.of("session_id", "\"s\"", "text", "\"t\""));
                fields.put(field, value);
                String body = fields.entrySet().stream().map(e -> "\"" + e.getKey() + "\": " + e.getValue())
                        .collect(Collectors.joining(", ", "{", "}"));
                row(table, field + " as " + value, post(MESSAGES, op, JSON_TYPE, body), 400, "INVALID_ARGUMENT",
                        "'" + field + "' must be a string, not " + value);
            }
        }
        for (String body : List.of("", "[]", "{not json", hello + " trailing",
                "{\"session_id\": \"a\", \"sessionId\": \"b\", \"text\": \"t\"}",
                "{\"session_id\": \"s\", \"text\": \"t\", \"typo\": 1}",
                "{\"session_id\": \"s\", \"text\": \"t\", \"internal\": \"maybe\"}", "{\"text\": \"t\"}",
                "{\"session_id\": \"s\"}", "{\"session_id\": \"s\", \"text\": \"\"}",
                "{\"session_id\": \"s\", \"text\": \"" + "a".repeat(64 * 1024 + 1) + "\"}",
                "{\"session_id\": \"" + "s".repeat(257) + "\", \"text\": \"t\"}",
                "{\"session_id\": \"s\", \"channel\": \"" + "c".repeat(257) + "\", \"text\": \"t\"}",
                "{\"session_id\": \"s\", \"message_id\": \"" + "m".repeat(257) + "\", \"text\": \"t\"}",
                "{\"session_id\": \"\\udc00s\", \"text\": \"t\"}", "{\"session_id\": {}, \"text\": \"t\"}")) {
            row(table, "the message body " + abbreviate(body), post(MESSAGES, op, JSON_TYPE, body), 400,
                    "INVALID_ARGUMENT", "");
        }
        row(table, "a 12 MB message body", post(MESSAGES, op, JSON_TYPE, "{\"session_id\": \"s\", \"text\": \""
                + "a".repeat(12 << 20) + "\"}"), 413, "PAYLOAD_TOO_LARGE", "at most 10485760");
        row(table, "a chunked 12 MB message body", with(RawHttp.request("POST", MESSAGES).header("authorization", op)
                .header("content-type", JSON_TYPE).header("transfer-encoding", "chunked"), r -> r.body(
                        ("c00000\r\n" + "a".repeat(0xc00000) + "\r\n0\r\n\r\n").getBytes(StandardCharsets.US_ASCII))),
                413, SERVER_OWN, "");
        return table.stream().map(Arguments::of);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("cases")
    void badInputGetsItsDocumented4xxWithAJsonErrorAndChangesNothing(String name, RawHttp.Request request,
            Map<Phase, Integer> expected, String code, String fragment) throws IOException {
        for (Phase phase : Phase.values()) {
            enter(phase);
            GatewayState before = GatewayState.of(state, home.resolveFile(".drain_request.json"));

            RawHttp.Answer answer = request.send(RestAssured.port);

            String context = name + " while " + phase + ": " + answer;
            assertThat(answer.status()).as(context).isEqualTo(expected.get(phase));
            if (answer.status() >= 400) {
                if (code.equals(SERVER_OWN)) {
                    assertThat(answer.reason()).as(context).isNotBlank();
                } else {
                    assertThat(answer.header("content-type")).as(context).startsWith(JSON_TYPE);
                    JsonNode error = JSON.readTree(answer.body());
                    assertThat(error.path("code").asText()).as(context).isEqualTo(code);
                    assertThat(error.path("error").asText()).as(context).isNotBlank().contains(fragment);
                }
            }
            assertThat(GatewayState.of(state, home.resolveFile(".drain_request.json"))).as(context).isEqualTo(before);
        }
        assertThat(get(STATE, TestTokens.READER.bearer()).send(RestAssured.port).status()).isEqualTo(200);
    }

    @AfterEach
    void leaveItRunning() {
        state.cancelDrain("bad-input-test", "");
    }

    private void enter(Phase phase) {
        if (phase == Phase.RUNNING) {
            state.cancelDrain("bad-input-test", "");
        } else if (state.current().drain() == null) {
            state.beginDrain(new BeginDrainCommand("bad-input-test", "bad input table", false,
                    java.time.Duration.ofHours(1)));
        }
    }

    private static void row(List<Object[]> table, String name, RawHttp.Request request, int status, String code,
            String fragment) {
        table.add(new Object[] {name, request, Map.of(Phase.RUNNING, status, Phase.DRAINING, status), code, fragment});
    }

    private static RawHttp.Request post(String path, String authorization, String contentType, String body) {
        return post(path, authorization, contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    private static RawHttp.Request post(String path, String authorization, String contentType, byte[] body) {
        RawHttp.Request request = RawHttp.request("POST", path);
        if (authorization != null) {
            request.header("authorization", authorization);
        }
        return request.header("content-type", contentType).body(body);
    }

    private static RawHttp.Request get(String path, String authorization) {
        return RawHttp.request("GET", path).header("authorization", authorization);
    }

    private static RawHttp.Request with(RawHttp.Request request, UnaryOperator<RawHttp.Request> change) {
        return change.apply(request);
    }

    private static byte[] bytes(String before, int first, int second, String after) {
        byte[] head = before.getBytes(StandardCharsets.UTF_8);
        byte[] tail = after.getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[head.length + 2 + tail.length];
        System.arraycopy(head, 0, all, 0, head.length);
        all[head.length] = (byte) first;
        all[head.length + 1] = (byte) second;
        System.arraycopy(tail, 0, all, head.length + 2, tail.length);
        return all;
    }

    private static String abbreviate(String body) {
        String shown = body.replace("\n", "\\n").replace("\u0000", "\\0");
        return shown.length() > 60 ? shown.substring(0, 60) + "… (" + body.length() + " chars)" : "'" + shown + "'";
    }
}
