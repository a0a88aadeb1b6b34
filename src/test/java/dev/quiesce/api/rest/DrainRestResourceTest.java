package dev.quiesce.api.rest;

import dev.quiesce.drain.DrainStateBean;
import dev.quiesce.testing.TestHome;
import dev.quiesce.testing.TestTokens;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

/** The REST mirror over a real socket. */
@QuarkusTest
@WithTestResource(TestHome.class)
class DrainRestResourceTest {

    @Inject
    DrainStateBean state;

    @AfterEach
    void resume() {
        state.cancelDrain("test", "");
    }

    @Test
    void drainAndCancelMirrorTheGrpcApi() {
        String id = given().header("authorization", TestTokens.OPERATOR.bearer()).contentType(ContentType.JSON)
                .body("{\"action\":\"drain\",\"reason\":\"dashboard\",\"lease_seconds\":600,\"suppress_notification\":true}")
                .post("/api/gateway/drain")
                .then().statusCode(200)
                .body("phase", equalTo("PHASE_DRAINING"))
                .body("drain.principal", equalTo("operator"))
                .body("drain.suppressNotification", equalTo(true))
                .body("drain.drainId", notNullValue())
                .extract().path("drain.drainId");

        given().header("authorization", TestTokens.READER.bearer()).get("/api/gateway/state")
                .then().statusCode(200).body("phase", equalTo("PHASE_DRAINING")).body("drain.drainId", equalTo(id));

        given().header("authorization", TestTokens.OPERATOR.bearer()).contentType(ContentType.JSON)
                .body("{\"action\":\"cancel\",\"drain_id\":\"d-wrong\"}").post("/api/gateway/drain")
                .then().statusCode(409).body("code", equalTo("FAILED_PRECONDITION")).body("error", containsString(id));

        given().header("authorization", TestTokens.OPERATOR.bearer()).contentType(ContentType.JSON)
                .body("{\"action\":\"cancel\",\"drain_id\":\"" + id + "\"}").post("/api/gateway/drain")
                .then().statusCode(200).body("phase", equalTo("PHASE_RUNNING"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "{}", "[]", "42", "null", "\"drain\"", "{\"action\":\"restart\"}",
            "{\"action\":5}", "{not json", "{\"action\":\"drain\",\"lease_seconds\":\"10\"}",
            "{\"action\":\"drain\",\"lease_seconds\":-1}", "{\"action\":\"drain\",\"lease_seconds\":1.5}",
            "{\"action\":\"drain\",\"suppress_notification\":\"yes\"}", "{\"action\":\"drain\",\"typo\":1}",
            "{\"action\":\"drain\",\"reason\":7}"})
    void badBodiesAreA400WithAJsonErrorAndChangeNothing(String body) {
        long version = state.current().version();

        given().header("authorization", TestTokens.OPERATOR.bearer()).contentType(ContentType.JSON).body(body)
                .post("/api/gateway/drain")
                .then().statusCode(400).contentType(ContentType.JSON)
                .body("code", equalTo("INVALID_ARGUMENT")).body("error", notNullValue());

        assertThat(state.current().version()).isEqualTo(version);
    }

    @Test
    void everyAnswerIsPlainJsonWithTheCharactersAsTheyWereSent() {
        String reason = "it's <b>&amp;</b> = ok";

        String begun = given().header("authorization", TestTokens.OPERATOR.bearer()).contentType(ContentType.JSON)
                .body("{\"action\": \"drain\", \"reason\": \"" + reason + "\"}").post("/api/gateway/drain")
                .then().statusCode(200).extract().asString();
        String read = given().header("authorization", TestTokens.READER.bearer()).get("/api/gateway/state")
                .then().statusCode(200).extract().asString();
        String refused = given().header("authorization", TestTokens.OPERATOR.bearer()).contentType(ContentType.JSON)
                .body("{\"action\": \"cancel\", \"drain_id\": \"" + reason + "\"}").post("/api/gateway/drain")
                .then().statusCode(409).extract().asString();
        String invalid = given().header("authorization", TestTokens.OPERATOR.bearer()).contentType(ContentType.JSON)
                .body("{\"action\": \"drain\", \"" + reason + "\": 1}").post("/api/gateway/drain")
                .then().statusCode(400).extract().asString();

        assertThat(List.of(begun, read)).allSatisfy(body ->
                assertThat(body).contains("\"reason\":\"" + reason + "\"").doesNotContain("\\u00"));
        assertThat(List.of(refused, invalid)).allSatisfy(body ->
                assertThat(body).contains("'" + reason + "'").doesNotContain("\\u00"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"leaseSeconds", "suppressNotification", "drainId", "Action"})
    void aFieldInAnotherSpellingIsA400NamingIt(String field) {
        given().header("authorization", TestTokens.OPERATOR.bearer()).contentType(ContentType.JSON)
                .body("{\"action\": \"drain\", \"" + field + "\": 1}").post("/api/gateway/drain")
                .then().statusCode(400).body("code", equalTo("INVALID_ARGUMENT"))
                .body("error", containsString("unknown field '" + field + "'"));
        assertThat(state.current().drain()).isNull();
    }

    @Test
    void wrongContentTypeIsA415WithAJsonError() {
        given().header("authorization", TestTokens.OPERATOR.bearer()).contentType(ContentType.TEXT)
                .body("{\"action\":\"drain\"}").post("/api/gateway/drain")
                .then().statusCode(415).contentType(ContentType.JSON).body("error", containsString("application/json"));
    }

    @Test
    void missingOrUnknownTokenIs401AndMissingScopeIs403() {
        given().contentType(ContentType.JSON).body("{\"action\":\"drain\"}").post("/api/gateway/drain")
                .then().statusCode(401).contentType(ContentType.JSON).header("WWW-Authenticate", containsString("Bearer"));
        given().header("authorization", "Bearer nope").get("/api/gateway/state").then().statusCode(401);
        given().header("authorization", TestTokens.READER.bearer()).contentType(ContentType.JSON)
                .body("{\"action\":\"drain\"}").post("/api/gateway/drain")
                .then().statusCode(403).body("code", equalTo("PERMISSION_DENIED"));
        given().header("authorization", TestTokens.INGESTER.bearer()).get("/api/gateway/state").then().statusCode(403);
        assertThat(state.current().drain()).isNull();
    }

    @Test
    void healthAndMetricsNeedNoToken() {
        given().get("/q/health/live").then().statusCode(200);
        given().get("/q/metrics").then().statusCode(200).body(containsString("quiesce_phase"));
    }
}
