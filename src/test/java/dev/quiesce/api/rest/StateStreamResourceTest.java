package dev.quiesce.api.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quiesce.drain.BeginDrainCommand;
import dev.quiesce.drain.DrainStateBean;
import dev.quiesce.testing.ConsoleProfile;
import dev.quiesce.testing.SseStream;
import dev.quiesce.testing.TestTokens;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.net.URL;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

/** {@code GET /api/gateway/state/stream} over a real socket, with a 300 ms keep-alive ({@link ConsoleProfile}). */
@QuarkusTest
@TestProfile(ConsoleProfile.class)
class StateStreamResourceTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(5);

    @TestHTTPResource("/api/gateway/state/stream")
    URL stream;

    @Inject
    DrainStateBean state;

    @AfterEach
    void resume() {
        state.cancelDrain("test", "");
    }

    @Test
    void withoutATokenTheStreamIs401() {
        given().accept("text/event-stream").get("/api/gateway/state/stream")
                .then().statusCode(401).contentType("application/json")
                .header("WWW-Authenticate", "Bearer")
                .body("code", equalTo("UNAUTHENTICATED"));
    }

    @Test
    void aTokenWithoutReadIs403() {
        given().header("authorization", TestTokens.INGESTER.bearer()).accept("text/event-stream")
                .get("/api/gateway/state/stream")
                .then().statusCode(403).contentType("application/json")
                .body("code", equalTo("PERMISSION_DENIED"))
                .body("error", startsWith("token of principal 'platform' lacks scope 'read'"));
    }

    @Test
    void theFirstEventIsTheCurrentStateAsGetStateAnswersIt() throws Exception {
        String current = given().header("authorization", TestTokens.READER.bearer()).get("/api/gateway/state")
                .then().statusCode(200).extract().asString();

        try (SseStream events = SseStream.open(stream.toString(), TestTokens.READER.bearer())) {
            assertThat(events.status()).isEqualTo(200);
            assertThat(events.headers().firstValue("content-type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("text/event-stream"));
            assertThat(events.headers().firstValue("cache-control")).hasValue("no-store");
            assertThat(events.headers().firstValue("x-content-type-options")).hasValue("nosniff");
            JsonNode first = JSON.readTree(events.nextData(WAIT));
            assertThat(first).isEqualTo(JSON.readTree(current));
        }
    }

    @Test
    void everyChangeFollowsInVersionOrder() throws Exception {
        try (SseStream events = SseStream.open(stream.toString(), TestTokens.READER.bearer())) {
            JsonNode first = JSON.readTree(events.nextData(WAIT));
            assertThat(first.get("phase").asText()).isEqualTo("PHASE_RUNNING");

            String id = state.beginDrain(new BeginDrainCommand("operator", "stream test", false, Duration.ZERO))
                    .drain().drainId();
            JsonNode draining = JSON.readTree(events.nextData(WAIT));
            assertThat(draining.get("phase").asText()).isEqualTo("PHASE_DRAINING");
            assertThat(draining.at("/drain/drainId").asText()).isEqualTo(id);
            assertThat(draining.at("/drain/reason").asText()).isEqualTo("stream test");
            assertThat(draining.get("version").asLong()).isGreaterThan(first.get("version").asLong());

            state.cancelDrain("operator", id);
            JsonNode running = JSON.readTree(events.nextData(WAIT));
            assertThat(running.get("phase").asText()).isEqualTo("PHASE_RUNNING");
            assertThat(running.get("version").asLong()).isGreaterThan(draining.get("version").asLong());
        }
    }

    @Test
    void whileNothingChangesAKeepAliveCommentComesEveryInterval() throws Exception {
        try (SseStream events = SseStream.open(stream.toString(), TestTokens.READER.bearer())) {
            events.nextData(WAIT);
            long start = System.nanoTime();
            // 300 ms apart under ConsoleProfile: three in well under the 15 s default.
            for (int i = 0; i < 3; i++) {
                String line = events.nextLine(Duration.ofSeconds(3));
                assertThat(line).isEqualTo(": keep-alive");
                assertThat(events.nextLine(Duration.ofSeconds(1))).isEmpty();
            }
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    void aStateLineIsOneDataLineWhateverTheReasonHolds() throws Exception {
        try (SseStream events = SseStream.open(stream.toString(), TestTokens.READER.bearer())) {
            events.nextData(WAIT);
            String reason = "line one\nline two\r\ndata: forged\n\n: not a comment";
            state.beginDrain(new BeginDrainCommand("operator", reason, false, Duration.ZERO));

            String data = events.nextData(WAIT);
            assertThat(data).doesNotContain("\n");
            assertThat(JSON.readTree(data).at("/drain/reason").asText()).isEqualTo(reason);
        }
    }
}
