package dev.quiesce.api.rest;

import dev.quiesce.home.QuiesceHome;
import dev.quiesce.testing.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * REST auth in the running application, over real HTTP. The gRPC side is tested in
 * {@link dev.quiesce.api.grpc.GrpcCallGuardTest} with its own server and stand-in services, so it does not depend
 * on which {@code @GrpcService} beans the application has (with none, Quarkus starts no gRPC server).
 */
@QuarkusTest
class RestAuthWiringTest {

    @Inject
    QuiesceHome home;

    @Test
    void bootstrapTokenExistsOnlyAsAHashInTheTokensFile() throws IOException {
        String token = TestTokens.bootstrapToken(home.path());

        assertTrue(token.startsWith("qsc_"), "the control token was generated at startup");
        assertFalse(Files.readString(home.resolveFile("tokens")).contains(token));
    }

    @Test
    void apiRequestWithoutTokenIs401WithAJsonError() {
        given().when().get("/api/gateway/state")
                .then().statusCode(401)
                .header("WWW-Authenticate", "Bearer")
                .contentType("application/json")
                .body("code", equalTo("UNAUTHENTICATED"))
                .body("error", startsWith("missing bearer token: send 'authorization: Bearer <token>'"));
    }

    @Test
    void apiRequestWithUnknownTokenIs401() {
        given().header("Authorization", "Bearer qsc_not-a-token").when().post("/api/gateway/drain")
                .then().statusCode(401)
                .body("code", equalTo("UNAUTHENTICATED"));
    }

    @Test
    void anotherMethodOnAnEndpointIs405WithAllowEvenWithTheBootstrapToken() throws IOException {
        given().header("Authorization", "Bearer " + TestTokens.bootstrapToken(home.path()))
                .when().delete("/api/gateway/drain")
                .then().statusCode(405)
                .header("Allow", "POST")
                .contentType("application/json")
                .body("code", equalTo("METHOD_NOT_ALLOWED"));
        given().header("Authorization", "Bearer " + TestTokens.bootstrapToken(home.path()))
                .when().get("/api/gateway/drain")
                .then().statusCode(405).header("Allow", "POST");
        given().when().get("/api/gateway/drain").then().statusCode(401).body("code", equalTo("UNAUTHENTICATED"));
    }

    @Test
    void aPathTheApiDoesNotHaveIs404WithAJsonErrorWithoutAToken() {
        given().when().get("/api/nope")
                .then().statusCode(404)
                .contentType("application/json")
                .body("code", equalTo("NOT_FOUND"))
                .body("error", startsWith("no such endpoint 'GET /api/nope'"));
    }

    @Test
    void apiRequestWithTheBootstrapTokenGetsPastAuth() throws IOException {
        int status = given().header("Authorization", "Bearer " + TestTokens.bootstrapToken(home.path()))
                .when().get("/api/gateway/state")
                .then().extract().statusCode();

        assertTrue(status != 401 && status != 403, "status " + status);
    }

    @Test
    void healthAndMetricsNeedNoToken() {
        given().when().get("/q/health/live").then().statusCode(200);
        given().when().get("/q/metrics").then().statusCode(200);
    }
}
