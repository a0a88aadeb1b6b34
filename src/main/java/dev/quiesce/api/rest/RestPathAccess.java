package dev.quiesce.api.rest;

import dev.quiesce.api.AccessRule;
import dev.quiesce.auth.Scope;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;

/**
 * The scope each REST endpoint under {@code /api/} needs. Everything outside {@code /api/}
 * ({@code /q/health}, {@code /q/metrics}) is open; an {@code /api/} request that matches no rule is
 * denied. Stateless and thread-safe.
 */
final class RestPathAccess {

    private static final Map<String, Scope> SCOPES = Map.of(
            "GET /api/gateway/state", Scope.READ,
            "GET /api/gateway/inbox", Scope.READ,
            "HEAD /api/gateway/state", Scope.READ,
            "POST /api/gateway/drain", Scope.DRAIN,
            // Internal messages also need Scope.INTERNAL: Principal.authorizeMessage, called by the message resource.
            "POST /api/messages", Scope.INGEST);

    private static final AccessRule OPEN = new AccessRule.Open();

    private RestPathAccess() {}

    /** The rule for {@code method} on {@code path} (the request path, relative to the app root). */
    static AccessRule of(String method, String path) {
        String normalized = normalize(path);
        // Case-insensitive here, exact below: an oddly spelt /API/... path is denied, never open.
        if (!normalized.regionMatches(true, 0, "/api/", 0, 5) && !normalized.equalsIgnoreCase("/api")) {
            return OPEN;
        }
        String endpoint = method + " " + normalized;
        Scope scope = SCOPES.get(endpoint);
        return scope != null ? new AccessRule.Needs(scope)
                : new AccessRule.Denied("no scope grants '" + endpoint
                        + "': the gateway's auth rules do not list this endpoint, so it is refused");
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
