package dev.quiesce.api.rest;

import dev.quiesce.drain.DrainStateBean;
import dev.quiesce.testing.TestHome;
import dev.quiesce.testing.TestTokens;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.emptyString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

/** {@code POST /api/messages} over real HTTP, with the embedded echo handler. */
@QuarkusTest
@WithTestResource(TestHome.class)
class MessageRestResourceTest {

    @Inject
    DrainStateBean state;

    @Test
    void aMessageIsAnsweredWithTheTurnResultAsJson() {
        given().header("authorization", TestTokens.INGESTER.bearer()).contentType(ContentType.JSON)
                .body("{\"session_id\": \"rest-1\", \"channel\": \"slack:C1\", \"text\": \"hello\", \"message_id\": \"m-1\"}")
                .post("/api/messages")
                .then().statusCode(200).contentType(ContentType.JSON)
                .body("outcome", equalTo("TURN_OUTCOME_COMPLETED"))
                .body("reply", equalTo("hello"))
                .body("turnId", not(emptyString()));
    }

    @Test
    void theReplyIsPlainJsonWithTheCharactersAsTheyWereSent() {
        String text = "it's <b>&amp;</b> = ok";

        String body = given().header("authorization", TestTokens.INGESTER.bearer()).contentType(ContentType.JSON)
                .body("{\"session_id\": \"rest-escapes\", \"text\": \"" + text + "\"}")
                .post("/api/messages")
                .then().statusCode(200).contentType(ContentType.JSON).extract().asString();

        assertThat(body).contains("\"reply\":\"" + text + "\"").doesNotContain("\\u00");
    }

    static Stream<Arguments> fieldsOfTheWrongNameOrType() {
        return Stream.of(
                Arguments.of("{\"sessionId\": \"s\", \"text\": \"t\"}", "'sessionId'"),
                Arguments.of("{\"session_id\": \"s\", \"text\": \"t\", \"messageId\": \"m\"}", "'messageId'"),
                Arguments.of("{\"session_id\": \"s\", \"text\": \"t\", \"internal\": \"true\"}", "'internal'"),
                Arguments.of("{\"session_id\": \"s\", \"text\": \"t\", \"internal\": 1}", "'internal'"),
                Arguments.of("{\"session_id\": 5, \"text\": \"t\"}", "'session_id'"),
                Arguments.of("{\"session_id\": \"s\", \"text\": 5}", "'text'"),
                Arguments.of("{\"session_id\": \"s\", \"text\": \"t\", \"channel\": false}", "'channel'"),
                Arguments.of("{\"session_id\": \"s\", \"text\": \"t\", \"message_id\": 7}", "'message_id'"));
    }

    @ParameterizedTest
    @MethodSource("fieldsOfTheWrongNameOrType")
    void aFieldOfAnotherNameOrTypeIsA400NamingItAndStartsNothing(String body, String field) {
        long version = state.current().version();

        given().header("authorization", TestTokens.INGESTER.bearer()).contentType(ContentType.JSON).body(body)
                .post("/api/messages")
                .then().statusCode(400).contentType(ContentType.JSON)
                .body("code", equalTo("INVALID_ARGUMENT")).body("error", containsString(field));

        assertThat(state.current().version()).isEqualTo(version);
        assertThat(state.current().inFlightCount()).isZero();
    }

    static Stream<String> badBodies() {
        String tooLong = "x".repeat(257);
        return Stream.of("", "   ", "[]", "42", "null", "\"hello\"", "{not json", "{\"session_id\": \"s\", \"text\": ",
                "{\"session_id\": \"s\", \"text\": \"t\", \"typo\": 1}",
                "{\"session_id\": \"s\", \"text\": \"t\", \"internal\": \"maybe\"}",
                "{\"text\": \"t\"}", "{\"session_id\": \"s\"}", "{\"session_id\": \"s\", \"text\": \"\"}",
                "{\"session_id\": \"" + tooLong + "\", \"text\": \"t\"}",
                "{\"session_id\": \"s\", \"channel\": \"" + tooLong + "\", \"text\": \"t\"}",
                "{\"session_id\": \"s\", \"message_id\": \"" + tooLong + "\", \"text\": \"t\"}",
                "{\"session_id\": \"s\", \"text\": \"" + "a".repeat(64 * 1024 + 1) + "\"}");
    }

    @ParameterizedTest
    @MethodSource("badBodies")
    void aBadBodyIsA400WithAJsonErrorAndStartsNothing(String body) {
        long version = state.current().version();

        given().header("authorization", TestTokens.INGESTER.bearer()).contentType(ContentType.JSON).body(body)
                .post("/api/messages")
                .then().statusCode(400).contentType(ContentType.JSON)
                .body("code", equalTo("INVALID_ARGUMENT")).body("error", not(emptyString()));

        assertThat(state.current().version()).isEqualTo(version);
        assertThat(state.current().inFlightCount()).isZero();
    }

    @Test
    void aWrongContentTypeIsA415WithAJsonError() {
        given().header("authorization", TestTokens.INGESTER.bearer()).contentType(ContentType.TEXT)
                .body("{\"session_id\": \"s\", \"text\": \"hello\"}").post("/api/messages")
                .then().statusCode(415).contentType(ContentType.JSON)
                .body("code", equalTo("UNSUPPORTED_MEDIA_TYPE")).body("error", containsString("application/json"));
    }

    @Test
    void aMissingTokenIs401AndAMissingScopeIs403() {
        long version = state.current().version();
        String hello = "{\"session_id\": \"s\", \"text\": \"hello\"}";

        given().contentType(ContentType.JSON).body(hello).post("/api/messages")
                .then().statusCode(401).contentType(ContentType.JSON).body("code", equalTo("UNAUTHENTICATED"));
        given().header("authorization", "Bearer qsc_unknown").contentType(ContentType.JSON).body(hello)
                .post("/api/messages").then().statusCode(401);
        given().header("authorization", TestTokens.READER.bearer()).contentType(ContentType.JSON).body(hello)
                .post("/api/messages")
                .then().statusCode(403).body("code", equalTo("PERMISSION_DENIED")).body("error", containsString("ingest"));
        given().header("authorization", TestTokens.INGESTER.bearer()).contentType(ContentType.JSON)
                .body("{\"session_id\": \"s\", \"text\": \"hello\", \"internal\": true}").post("/api/messages")
                .then().statusCode(403).body("code", equalTo("PERMISSION_DENIED")).body("error", containsString("internal"));

        assertThat(state.current().version()).isEqualTo(version);
    }
}
