package dev.quiesce.api.rest;

import dev.quiesce.drain.BeginDrainCommand;
import dev.quiesce.drain.DrainAuditLog;
import dev.quiesce.drain.DrainStateBean;
import dev.quiesce.testing.TestHome;
import dev.quiesce.testing.TestTokens;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

/** {@code GET /api/gateway/audit} over a real socket, against the audit log the gateway writes. */
@QuarkusTest
@WithTestResource(TestHome.class)
class AuditRestResourceTest {

    @Inject
    DrainStateBean state;

    @Inject
    DrainAuditLog audit;

    @AfterEach
    void resume() {
        state.cancelDrain("test", "");
    }

    @Test
    void withoutATokenIs401AndWithoutReadIs403() {
        given().get("/api/gateway/audit").then().statusCode(401).contentType("application/json")
                .body("code", equalTo("UNAUTHENTICATED"));
        given().header("authorization", TestTokens.INGESTER.bearer()).get("/api/gateway/audit")
                .then().statusCode(403).contentType("application/json")
                .body("code", equalTo("PERMISSION_DENIED"));
    }

    @Test
    void theNewestEventsComeFirst() {
        String tag = "audit-" + System.nanoTime();
        String first = state.beginDrain(new BeginDrainCommand("operator", tag + "-a", false, Duration.ZERO))
                .drain().drainId();
        state.cancelDrain("operator", first);
        String second = state.beginDrain(new BeginDrainCommand("operator", tag + "-b", true, Duration.ZERO))
                .drain().drainId();

        List<String> events = given().header("authorization", TestTokens.READER.bearer())
                .get("/api/gateway/audit?limit=3")
                .then().statusCode(200).contentType("application/json")
                .header("X-Content-Type-Options", "nosniff")
                .extract().jsonPath().getList("events.event");
        List<String> ids = given().header("authorization", TestTokens.READER.bearer())
                .get("/api/gateway/audit?limit=3").then().extract().jsonPath().getList("events.drain_id");
        List<String> reasons = given().header("authorization", TestTokens.READER.bearer())
                .get("/api/gateway/audit?limit=3").then().extract().jsonPath().getList("events.reason");

        assertThat(events).hasSize(3);
        assertThat(ids).containsExactly(second, first, first);
        assertThat(reasons).containsExactly(tag + "-b", tag + "-a", tag + "-a");
        assertThat(events.get(0)).isEqualTo("begin");
        assertThat(events.get(2)).isEqualTo("begin");
    }

    @Test
    void withoutALimitTwentyComeAndTwoHundredIsAllowed() {
        for (int i = 0; i < 11; i++) {
            state.beginDrain(new BeginDrainCommand("operator", "many " + i, false, Duration.ZERO));
            state.cancelDrain("operator", "");
        }
        given().header("authorization", TestTokens.READER.bearer()).get("/api/gateway/audit")
                .then().statusCode(200).body("events.size()", equalTo(AuditRestResource.DEFAULT_LIMIT));
        // An empty value reaches the resource as no value at all: the default too.
        given().urlEncodingEnabled(false).header("authorization", TestTokens.READER.bearer())
                .get("/api/gateway/audit?limit=")
                .then().statusCode(200).body("events.size()", equalTo(AuditRestResource.DEFAULT_LIMIT));
        int all = given().header("authorization", TestTokens.READER.bearer()).get("/api/gateway/audit?limit=200")
                .then().statusCode(200).extract().jsonPath().getList("events").size();
        assertThat(all).isBetween(22, 200);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "201", "-1", "abc", "1.5", "1e2", " 5", "+5", "99999999999999999999"})
    void aLimitOutOfRangeOrNotAWholeNumberIs400(String limit) {
        // Encoded here, sent as it is: "limit=" must reach the server as an empty value, not be dropped.
        given().urlEncodingEnabled(false).header("authorization", TestTokens.READER.bearer())
                .get("/api/gateway/audit?limit=" + URLEncoder.encode(limit, StandardCharsets.UTF_8))
                .then().statusCode(400).contentType("application/json")
                .body("code", equalTo("INVALID_ARGUMENT"))
                .body("error", startsWith("limit must be a whole number from 1 to 200 (20 when left out), not '"
                        + limit + "'"));
    }

    @Test
    void aLineThatIsNotJsonIsSkipped() throws IOException {
        state.beginDrain(new BeginDrainCommand("operator", "before the torn line", false, Duration.ZERO));
        Files.writeString(audit.path(), "{\"time\": \"2026-01-01T00:00:00Z\", \"ev", StandardCharsets.UTF_8,
                StandardOpenOption.APPEND);

        given().header("authorization", TestTokens.READER.bearer()).get("/api/gateway/audit?limit=1")
                .then().statusCode(200).body("events.size()", equalTo(0));
        given().header("authorization", TestTokens.READER.bearer()).get("/api/gateway/audit?limit=2")
                .then().statusCode(200).body("events[0].reason", equalTo("before the torn line"));
        // The next append goes on after the torn bytes (append-only); end that line so later tests read clean lines.
        Files.writeString(audit.path(), "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }
}
