package dev.quiesce.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import dev.quiesce.api.v1.BeginDrainRequest;
import dev.quiesce.api.v1.CancelDrainRequest;
import dev.quiesce.api.v1.DrainState;
import dev.quiesce.api.v1.InboundMessage;
import dev.quiesce.drain.DrainStateBean;
import dev.quiesce.home.QuiesceHome;
import dev.quiesce.testing.RawGrpc;
import dev.quiesce.testing.RawH2;
import dev.quiesce.testing.RawHttp;
import dev.quiesce.testing.TestHome;
import dev.quiesce.testing.TestTokens;
import io.grpc.Channel;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Security against the running application, with everything it logs (at DEBUG, every category)
 * captured to a file, in a home the application creates itself:
 * <ul>
 *   <li>the home is 0700, {@code control.token}, {@code tokens} and the marker are 0600;
 *   <li>every auth failure path and every error path, over gRPC and REST, with the generated
 *       bootstrap token and each {@link TestTokens} token — and then no token and no token's
 *       SHA-256 appears in the log, the audit log, the status file or any error description;
 *   <li>a drain's principal is the token's: a REST body naming a principal is refused, a gRPC
 *       request cannot carry one (unknown fields are ignored), and the marker and audit log name the
 *       token's principal.
 * </ul>
 */
@QuarkusTest
@TestProfile(SecretsAndPrincipalsTest.CapturedLog.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SecretsAndPrincipalsTest {

    static final Path LOG = Path.of("target", "quiesce-security-test.log").toAbsolutePath();
    private static final ObjectMapper JSON = new ObjectMapper();

    @GrpcClient("security")
    Channel channel;

    @Inject
    QuiesceHome home;

    @Inject
    DrainStateBean state;

    /** Every error description the application answered with, gRPC and REST. */
    private static final List<String> DESCRIPTIONS = new ArrayList<>();

    @Test
    @Order(1)
    void theHomeTheAppCreatedIs0700AndItsTokenFiles0600() throws IOException {
        assertThat(mode(home.path())).isEqualTo("rwx------");
        assertThat(mode(home.resolveFile("control.token"))).isEqualTo("rw-------");
        assertThat(mode(home.resolveFile("tokens"))).isEqualTo("rw-------");
    }

    @Test
    @Order(2)
    void noTokenNorItsHashEverAppearsInTheLogsOrInAnErrorDescription() throws IOException {
        String generated = Files.readString(home.resolveFile("control.token")).strip();
        grantTheTestTokensAndAPastedRawToken(generated);
        List<String> tokens = new ArrayList<>(List.of(generated));
        for (TestTokens token : TestTokens.values()) {
            tokens.add(token.token);
        }

        for (String token : tokens) {
            for (String authorization : List.of(token, "Basic " + token, "Bearer " + token + " " + token,
                    "Bearer " + token + "x", "Bearer  " + token + "  ", "bearer " + token.toUpperCase(Locale.ROOT))) {
                exerciseEveryPath(authorization);
            }
            exerciseEveryPath("Bearer " + token);
        }
        exerciseEveryPath(null);

        String logged = Files.readString(LOG);
        assertThat(logged).as("the captured log").contains("Reloaded").contains("skipped line");
        List<String> searched = new ArrayList<>(List.of(logged,
                readIfExists(home.resolveFile("drain-audit.jsonl")), readIfExists(home.resolveFile("gateway_state.json"))));
        searched.addAll(DESCRIPTIONS);
        assertThat(DESCRIPTIONS).hasSizeGreaterThan(500);
        List<String> leaks = new ArrayList<>();
        for (String token : tokens) {
            String hash = BearerTokens.sha256Hex(token);
            for (String text : searched) {
                text.lines().filter(line -> line.contains(token) || line.toLowerCase(Locale.ROOT).contains(hash)
                        || line.contains(token.substring(4, 20))).forEach(leaks::add);
            }
        }
        assertThat(leaks).as("lines or descriptions that hold a token or its hash").isEmpty();
        assertThat(DESCRIPTIONS).as("answers that name a path in the home")
                .noneMatch(description -> description.contains(home.path().toString()));
        List<String> refusalLines = logged.lines().filter(line -> line.contains("Refused a call: ")).toList();
        assertThat(refusalLines).as("the log names the paths the callers were not told")
                .anyMatch(line -> line.contains("Tokens are checked against " + home.resolveFile("tokens")));
        assertThat(refusalLines.stream().map(line -> line.substring(line.indexOf("Refused a call: ")))
                .collect(Collectors.groupingBy(line -> line, Collectors.counting())))
                .as("each kind of refusal logged once, however often it was made").allSatisfy((line, count) ->
                        assertThat(count).as(line).isEqualTo(1));
        System.out.printf("SecretsAndPrincipalsTest: %d tokens, %d error descriptions and %d log lines searched%n",
                tokens.size(), DESCRIPTIONS.size(), logged.lines().count());
    }

    @Test
    @Order(3)
    void aRestBodyThatNamesAPrincipalIsRefusedAndChangesNothing() {
        state.cancelDrain("test", "");
        long version = state.current().version();

        RawHttp.Answer answer = rest("POST", "/api/gateway/drain", TestTokens.DRAINER.bearer(),
                "{\"action\": \"drain\", \"principal\": \"mallory\"}");

        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.bodyText()).contains("unknown field 'principal'");
        assertThat(state.current().version()).isEqualTo(version);
        assertThat(Files.exists(home.resolveFile(".drain_request.json"))).isFalse();
    }

    @Test
    @Order(4)
    void aGrpcRequestCannotCarryAPrincipalAndTheMarkerNamesTheTokensPrincipal() throws IOException {
        state.cancelDrain("test", "");
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        CodedOutputStream coded = CodedOutputStream.newInstance(request);
        coded.writeString(2, "routine");
        for (int field : new int[] {3 + 1, 7, 15, 100}) {        // whatever number a "principal" might be given
            coded.writeBytes(field, ByteString.copyFromUtf8("mallory"));
        }
        coded.flush();

        DrainState begun = DrainState.parseFrom(RawGrpc.call(channel, "quiesce.v1.DrainControl/BeginDrain",
                TestTokens.DRAINER.bearer(), request.toByteArray()));

        assertThat(begun.getDrain().getPrincipal()).isEqualTo(TestTokens.DRAINER.principal);
        assertThat(begun.getDrain().getReason()).isEqualTo("routine");
        Path marker = home.resolveFile(".drain_request.json");
        JsonNode written = JSON.readTree(Files.readString(marker));
        assertThat(written.path("principal").asText()).isEqualTo(TestTokens.DRAINER.principal);
        assertThat(mode(marker)).isEqualTo("rw-------");
        assertThat(Files.readString(marker)).doesNotContain("mallory");
        String audit = Files.readString(home.resolveFile("drain-audit.jsonl"));
        assertThat(audit.lines().reduce((first, last) -> last).orElseThrow())
                .contains("\"principal\":\"" + TestTokens.DRAINER.principal + "\"").doesNotContain("mallory");
        state.cancelDrain("test", "");
    }

    /** Every gRPC method and REST endpoint, with good and bad requests, under {@code authorization}. */
    private void exerciseEveryPath(String authorization) {
        byte[] empty = new byte[0];
        grpc("quiesce.v1.DrainControl/GetState", authorization, empty);
        grpc("quiesce.v1.DrainControl/WatchStateX", authorization, empty);
        grpc("quiesce.v1.DrainControl/BeginDrain", authorization,
                BeginDrainRequest.newBuilder().setReason("r".repeat(300)).build().toByteArray());
        grpc("quiesce.v1.DrainControl/BeginDrain", authorization, new byte[] {0x0F});
        grpc("quiesce.v1.DrainControl/CancelDrain", authorization,
                CancelDrainRequest.newBuilder().setDrainId("d-not-this-one").build().toByteArray());
        grpc("quiesce.v1.MessageGateway/HandleMessage", authorization,
                InboundMessage.newBuilder().setSessionId("s").build().toByteArray());
        grpc("quiesce.v1.MessageGateway/HandleMessage", authorization,
                InboundMessage.newBuilder().setSessionId("s").setText("t").setInternal(true).build().toByteArray());
        if (authorization != null) {
            Map<String, String> headers = new HashMap<>(Map.of("authorization", authorization));
            RawH2.Answer answer = RawH2.call(RestAssured.port, "quiesce.v1.DrainControl/GetState", headers, true,
                    new byte[] {1});
            if (answer.grpcMessage() != null) {
                DESCRIPTIONS.add(URLDecoder.decode(answer.grpcMessage().replace("+", "%2B"), StandardCharsets.UTF_8));
            }
        }
        rest("GET", "/api/gateway/state", authorization, null);
        rest("POST", "/api/gateway/drain", authorization, "{\"action\": \"drain\", \"lease_seconds\": -1}");
        rest("POST", "/api/gateway/drain", authorization, "{\"action\": \"cancel\", \"drain_id\": \"d-other\"}");
        rest("POST", "/api/gateway/drain", authorization, "{\"action\": \"sing\"}");
        rest("POST", "/api/gateway/drain", authorization, "not json");
        rest("POST", "/api/messages", authorization, "{\"session_id\": \"s\", \"text\": \"\"}");
        rest("POST", "/api/messages", authorization, "{\"session_id\": \"s\", \"text\": \"t\", \"internal\": true}");
        rest("GET", "/api/nothing-here", authorization, null);
    }

    private void grpc(String method, String authorization, byte[] request) {
        try {
            RawGrpc.call(channel, method, authorization, request);
        } catch (StatusRuntimeException e) {
            DESCRIPTIONS.add(String.valueOf(e.getStatus().getDescription()));
        }
    }

    private static RawHttp.Answer rest(String method, String path, String authorization, String body) {
        RawHttp.Request request = RawHttp.request(method, path);
        if (authorization != null) {
            request.header("authorization", authorization);
        }
        if (body != null) {
            request.header("content-type", "application/json").body(body);
        }
        RawHttp.Answer answer = request.send(RestAssured.port);
        if (answer.status() >= 400) {
            DESCRIPTIONS.add(answer.bodyText());
        }
        return answer;
    }

    /**
     * Adds the {@link TestTokens} to the tokens file the application wrote, plus two lines an
     * operator might get wrong (a raw token pasted where its hash belongs), and waits for the
     * reload.
     */
    private void grantTheTestTokensAndAPastedRawToken(String generated) throws IOException {
        StringBuilder tokens = new StringBuilder(Files.readString(home.resolveFile("tokens")));
        for (TestTokens token : TestTokens.values()) {
            tokens.append(token.line()).append('\n');
        }
        tokens.append("pasted read ").append(generated).append('\n');
        tokens.append("pasted2 read ").append(TestTokens.READER.token).append(' ').append(generated).append('\n');
        Files.writeString(home.resolveFile("tokens"), tokens);
        await().until(() -> rest("GET", "/api/gateway/state", TestTokens.READER.bearer(), null).status() == 200);
    }

    private static String mode(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }

    private static String readIfExists(Path path) throws IOException {
        return Files.exists(path) ? Files.readString(path) : "";
    }

    /** A home the application has to create, and everything it logs at DEBUG in {@link #LOG}. */
    public static class CapturedLog implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = new LinkedHashMap<>();
            config.put("quarkus.log.file.enabled", "true");
            config.put("quarkus.log.file.path", LOG.toString());
            config.put("quarkus.log.level", "DEBUG");
            config.put("quarkus.log.console.level", "INFO");
            // The test's own gRPC client (grpc-java over Netty, in this JVM) logs the headers it
            // sends at DEBUG; the server is Vert.x and keeps DEBUG.
            config.put("quarkus.log.category.\"io.grpc\".level", "INFO");
            return config;
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(HomeTheAppCreates.class));
        }
    }

    /** {@link TestHome}'s fake {@code /proc}, but a home path that does not exist yet. */
    public static class HomeTheAppCreates extends TestHome {
        @Override
        public Map<String, String> start() {
            Map<String, String> config = new HashMap<>(super.start());
            try {
                Files.deleteIfExists(LOG);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            config.put("quiesce.home", Path.of(config.get("quiesce.home")).resolveSibling("created-by-the-app")
                    .resolve("home").toString());
            return config;
        }
    }
}
