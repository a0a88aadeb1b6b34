package dev.quiesce.api.rest;

import dev.quiesce.api.AccessRule;
import dev.quiesce.auth.Scope;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

class RestPathAccessTest {

    @ParameterizedTest
    @CsvSource({
        "GET, /api/gateway/state, READ",
        "HEAD, /api/gateway/state, READ",
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
        "POST, /api/gateway/state, POST /api/gateway/state",
        "GET, /api/gateway/drain, GET /api/gateway/drain",
        "GET, /api/messages, GET /api/messages",
        "DELETE, /api/messages, DELETE /api/messages",
        "OPTIONS, /api/gateway/state, OPTIONS /api/gateway/state",
        "GET, /API/gateway/state, GET /API/gateway/state",
        "GET, /api, GET /api",
        "GET, /api/, GET /api",
        "GET, /api/unknown, GET /api/unknown",
        "GET, /q/../api/other, GET /api/other"})
    void anyOtherApiRequestIsDeniedNamingIt(String method, String path, String endpoint) {
        assertEquals(new AccessRule.Denied("no scope grants '" + endpoint
                + "': the gateway's auth rules do not list this endpoint, so it is refused"),
                RestPathAccess.of(method, path));
    }
}
