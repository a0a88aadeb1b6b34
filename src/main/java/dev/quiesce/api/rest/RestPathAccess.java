package dev.quiesce.api.rest;

import dev.quiesce.api.AccessRule;
import dev.quiesce.auth.Scope;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Optional;

/**
 * The REST endpoints under {@code /api/}: the methods each path takes and the scope each needs.
 * Everything outside {@code /api/} ({@code /q/health}, {@code /q/metrics}) is open; an {@code /api/}
 * request that matches no endpoint is denied, with a description that says whether the path is one
 * the API has ({@link #allow} then names its methods) or not. Stateless and thread-safe.
 */
final class RestPathAccess {

    /** Path → method → scope. */
    private static final Map<String, Map<String, Scope>> ENDPOINTS = Map.of(
            "/api/gateway/state", Map.of("GET", Scope.READ, "HEAD", Scope.READ),
            "/api/gateway/state/stream", Map.of("GET", Scope.READ),
            "/api/gateway/inbox", Map.of("GET", Scope.READ),
            "/api/gateway/audit", Map.of("GET", Scope.READ),
            "/api/gateway/drain", Map.of("POST", Scope.DRAIN),
            // Internal messages also need Scope.INTERNAL: Principal.authorizeMessage, called by the message resource.
            "/api/messages", Map.of("POST", Scope.INGEST));

    /** The endpoints, for descriptions of a path the API does not have. */
    static final String API = "POST /api/gateway/drain, GET /api/gateway/state, GET /api/gateway/state/stream, "
            + "GET /api/gateway/inbox, GET /api/gateway/audit and POST /api/messages";

    private static final AccessRule OPEN = new AccessRule.Open();

    private RestPathAccess() {}

    /** The rule for {@code method} on {@code path} (the request path, relative to the app root). */
    static AccessRule of(String method, String path) {
        String normalized = normalize(path);
        // Case-insensitive here, exact below: an oddly spelt /API/... path is denied, never open.
        if (!normalized.regionMatches(true, 0, "/api/", 0, 5) && !normalized.equalsIgnoreCase("/api")) {
            return OPEN;
        }
        Map<String, Scope> methods = ENDPOINTS.get(normalized);
        if (methods == null) {
            return new AccessRule.Denied("no such endpoint '" + method + " " + normalized + "'; the API is " + API);
        }
        Scope scope = methods.get(method);
        return scope != null ? new AccessRule.Needs(scope)
                : new AccessRule.Denied(normalized + " does not take " + method + "; it takes " + allowed(methods)
                        + " (the Allow header)");
    }

    /**
     * The methods {@code path} takes, as an {@code Allow} header value ({@code GET, HEAD}), or empty
     * when it is no endpoint of the API.
     */
    static Optional<String> allow(String path) {
        return Optional.ofNullable(ENDPOINTS.get(normalize(path))).map(RestPathAccess::allowed);
    }

    private static String allowed(Map<String, Scope> methods) {
        return String.join(", ", methods.keySet().stream().sorted().toList());
    }

    /**
     * {@code path} with empty and {@code .} segments dropped and {@code ..} resolved, so
     * {@code //api/x/} or {@code /q/../api/x} cannot slip past the {@code /api/} check.
     */
    static String normalize(String path) {
        Deque<String> segments = new ArrayDeque<>();
        for (String segment : path.split("/")) {
            if (segment.isEmpty() || segment.equals(".")) {
                continue;
            }
            if (segment.equals("..")) {
                segments.pollLast();
            } else {
                segments.addLast(segment);
            }
        }
        return "/" + String.join("/", segments);
    }
}
