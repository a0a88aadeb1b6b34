package dev.quiesce.api.rest;

import dev.quiesce.api.AccessRule;
import dev.quiesce.auth.Scope;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

class RestPathAccessTest {

    @ParameterizedTest
    @CsvSource({
        "GET, /api/gateway/state, READ",
        "HEAD, /api/gateway/state, READ",
        "GET, /api/gateway/inbox, READ",
        "GET, /api/gateway/state/stream, READ",
        "GET, /api/gateway/audit, READ",
        "GET, /api//gateway/audit/, READ",
        "POST, /api/gateway/drain, DRAIN",
        "POST, /api/messages, INGEST",
        "GET, api/gateway/state, READ",
        "GET, /api/gateway/state/, READ",
        "POST, //api//gateway/./drain, DRAIN",
        "POST, /q/../api/messages, INGEST"})
    void eachApiEndpointNeedsItsScope(String method, String path, Scope scope) {
        assertEquals(new AccessRule.Needs(scope), RestPathAccess.of(method, path));
    }

    @ParameterizedTest
    @CsvSource({
        "GET, /q/health/ready",
        "GET, /q/metrics",
        "GET, /",
        "GET, /apis",
        "GET, /apiary/x"})
    void pathsOutsideApiAreOpen(String method, String path) {
        assertInstanceOf(AccessRule.Open.class, RestPathAccess.of(method, path));
    }

    @ParameterizedTest
    @CsvSource({
        "POST, /api/gateway/state, /api/gateway/state, 'GET, HEAD'",
        "GET, /api/gateway/drain, /api/gateway/drain, POST",
        "GET, /api/messages, /api/messages, POST",
        "DELETE, /api/messages, /api/messages, POST",
        "OPTIONS, /api/gateway/state, /api/gateway/state, 'GET, HEAD'",
        "GET, //api/./messages/, /api/messages, POST",
        "POST, /api/gateway/state/stream, /api/gateway/state/stream, GET",
        "HEAD, /api/gateway/state/stream, /api/gateway/state/stream, GET",
        "POST, /api/gateway/audit, /api/gateway/audit, GET",
        "DELETE, /api/gateway/audit, /api/gateway/audit, GET"})
    void anotherMethodOnAnEndpointsPathIsDeniedNamingTheMethodsItTakes(String method, String path, String endpoint,
            String allow) {
        assertEquals(new AccessRule.Denied(endpoint + " does not take " + method + "; it takes " + allow
                + " (the Allow header)"), RestPathAccess.of(method, path));
        assertEquals(Optional.of(allow), RestPathAccess.allow(path));
    }

    @ParameterizedTest
    @CsvSource({
        "GET, /API/gateway/state, GET /API/gateway/state",
        "GET, /api, GET /api",
        "GET, /api/, GET /api",
        "GET, /api/unknown, GET /api/unknown",
        "POST, /api/gateway/restart, POST /api/gateway/restart",
        "GET, /q/../api/other, GET /api/other",
        "GET, /api/gateway/state/streams, GET /api/gateway/state/streams",
        "GET, /api/gateway/audits, GET /api/gateway/audits",
        "GET, /api/gateway/audit/1, GET /api/gateway/audit/1"})
    void aPathTheApiDoesNotHaveIsDeniedNamingTheEndpoints(String method, String path, String endpoint) {
        assertEquals(new AccessRule.Denied("no such endpoint '" + endpoint + "'; the API is POST /api/gateway/drain, "
                + "GET /api/gateway/state, GET /api/gateway/state/stream, GET /api/gateway/inbox, GET /api/gateway/audit "
                + "and POST /api/messages"), RestPathAccess.of(method, path));
        assertEquals(Optional.empty(), RestPathAccess.allow(path));
    }
}
