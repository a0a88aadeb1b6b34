package dev.quiesce.api.rest;

import dev.quiesce.api.DrainCallAudit;
import dev.quiesce.auth.Authenticator;
import dev.quiesce.auth.Principal;
import dev.quiesce.auth.Scope;
import dev.quiesce.auth.TokenStore;
import dev.quiesce.drain.DrainAuditLog;
import dev.quiesce.home.QuiesceHome;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static dev.quiesce.testing.TestTokens.line;
import static dev.quiesce.testing.TestTokens.writeTokens;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RestAuthFilterTest {

    @TempDir
    Path home;

    private final RestCaller caller = new RestCaller();
    private RestAuthFilter filter;

    @BeforeEach
    void tokens() throws IOException {
        writeTokens(home, line("dashboard", "read", "dashboard-token"), line("orchestrator", "drain", "orch-token"));
        filter = new RestAuthFilter(new Authenticator(TokenStore.open(home)), caller,
                new DrainCallAudit(new DrainAuditLog(new QuiesceHome(home))));
    }

    @Test
    void requestWithTheNeededScopeProceedsWithItsPrincipal() {
        assertEquals(Optional.empty(), filter.check("POST", "/api/gateway/drain", "Bearer orch-token"));

        assertEquals(new Principal("orchestrator", Set.of(Scope.DRAIN)), caller.principal());
    }

    @Test
    void requestWithoutTokenIs401WithABearerChallengeAndAJsonError() {
        Response response = filter.check("GET", "/api/gateway/state", null).orElseThrow();

        assertEquals(401, response.getStatus());
        assertEquals("Bearer", response.getHeaderString("WWW-Authenticate"));
        assertEquals("application/json", response.getMediaType().toString());
        assertEquals(new ApiError("missing bearer token: send 'authorization: Bearer <token>'", "UNAUTHENTICATED"),
                response.getEntity());
        assertEquals(Optional.empty(), caller.current());
    }

    @Test
    void unknownTokenIs401() {
        Response response = filter.check("POST", "/api/messages", "Bearer nope").orElseThrow();

        assertEquals(401, response.getStatus());
        assertEquals("UNAUTHENTICATED", ((ApiError) response.getEntity()).code());
    }

    @Test
    void tokenWithoutTheNeededScopeIs403WithoutAChallenge() {
        Response response = filter.check("POST", "/api/gateway/drain", "Bearer dashboard-token").orElseThrow();

        assertEquals(403, response.getStatus());
        assertNull(response.getHeaderString("WWW-Authenticate"));
        ApiError error = (ApiError) response.getEntity();
        assertEquals("PERMISSION_DENIED", error.code());
        assertTrue(error.error().startsWith("token of principal 'dashboard' lacks scope 'drain'"), error.error());
        assertEquals(Optional.empty(), caller.current());
    }

    @Test
    void anotherMethodOnAnEndpointIs405WithAllowOnceTheTokenIsKnown() {
        Response response = filter.check("DELETE", "/api/gateway/drain", "Bearer dashboard-token").orElseThrow();

        assertEquals(405, response.getStatus());
        assertEquals("POST", response.getHeaderString("Allow"));
        assertTrue(response.getEntity().toString().contains("\"code\":\"METHOD_NOT_ALLOWED\""),
                response.getEntity().toString());
        assertEquals(Optional.empty(), caller.current());
    }

    @Test
    void anotherMethodOnAnEndpointWithoutATokenIs401() {
        Response response = filter.check("GET", "/api/gateway/drain", null).orElseThrow();

        assertEquals(401, response.getStatus());
        assertNull(response.getHeaderString("Allow"));
    }

    @Test
    void aPathTheApiDoesNotHaveIs404WithoutAToken() {
        Response response = filter.check("GET", "/api/nope", null).orElseThrow();

        assertEquals(404, response.getStatus());
        assertEquals("application/json", response.getMediaType().toString());
        assertTrue(response.getEntity().toString().contains("\"code\":\"NOT_FOUND\""), response.getEntity().toString());
    }

    @Test
    void pathsOutsideApiProceedWithoutACaller() {
        assertEquals(Optional.empty(), filter.check("GET", "/q/health/ready", null));

        assertEquals(Optional.empty(), caller.current());
        assertThrows(IllegalStateException.class, caller::principal);
    }
}
