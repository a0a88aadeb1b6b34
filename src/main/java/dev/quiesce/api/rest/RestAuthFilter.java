package dev.quiesce.api.rest;

import dev.quiesce.api.AccessRule;
import dev.quiesce.api.DrainCallAudit;
import dev.quiesce.api.Refusal;
import dev.quiesce.auth.AuthException;
import dev.quiesce.auth.Authenticator;
import dev.quiesce.auth.Scope;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Optional;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Checks every REST request under {@code /api/} against the endpoints ({@link RestPathAccess})
 * before resource matching, so nothing reaches a resource that is not in that table:
 * <ul>
 *   <li>an endpoint: the bearer token must carry the scope it needs; refusals are 401 (with
 *       {@code WWW-Authenticate: Bearer}) or 403 with an {@link ApiError} body, and an accepted
 *       request carries its principal in {@link RestCaller};
 *   <li>a path the API has, with a method it does not take: auth first (401 without a known token),
 *       then 405 with {@code Allow}, whatever the token's scopes (none makes that method work);
 *   <li>a path the API does not have: 404, without a token (the answer tells nothing a token
 *       protects, and a client expects a 404 there).
 * </ul>
 * A refused drain request goes to the audit log ({@link DrainCallAudit}). Thread-safe;
 * non-blocking but for the audit line of a refused drain request (at most one per kind per 10 s).
 */
public class RestAuthFilter {

    private final Authenticator authenticator;
    private final RestCaller caller;
    private final DrainCallAudit audit;

    public RestAuthFilter(Authenticator authenticator, RestCaller caller, DrainCallAudit audit) {
        this.authenticator = authenticator;
        this.caller = caller;
        this.audit = audit;
    }

    @ServerRequestFilter(preMatching = true)
    public Optional<Response> authorize(ContainerRequestContext request) {
        return check(request.getMethod(), request.getUriInfo().getPath(),
                request.getHeaderString(HttpHeaders.AUTHORIZATION));
    }

    /** The refusal for this request, or empty (after recording the caller) when it may proceed. */
    Optional<Response> check(String method, String path, String authorization) {
        AccessRule rule = RestPathAccess.of(method, path);
        if (rule instanceof AccessRule.Open) {
            return Optional.empty();
        }
        if (rule instanceof AccessRule.Denied denied) {
            return Optional.of(noEndpoint(path, authorization, denied.description()));
        }
        Scope needed = ((AccessRule.Needs) rule).scope();
        try {
            caller.authenticated(authenticator.authorize(authorization, needed));
            return Optional.empty();
        } catch (AuthException e) {
            audit.authRefused(needed, method + " " + RestPathAccess.normalize(path), e);
            return Optional.of(refusal(Refusal.of(e.kind()), e.description()));
        }
    }

    /** A 404 for a path the API does not have; for one it has, a 405 naming its methods, once the token is known. */
    private Response noEndpoint(String path, String authorization, String description) {
        Optional<String> allow = RestPathAccess.allow(path);
        if (allow.isEmpty()) {
            return RestErrors.error(404, "NOT_FOUND", description);
        }
        try {
            authenticator.authenticate(authorization);
        } catch (AuthException e) {
            return refusal(Refusal.of(e.kind()), e.description());
        }
        return Response.fromResponse(RestErrors.error(405, "METHOD_NOT_ALLOWED", description))
                .header(HttpHeaders.ALLOW, allow.get()).build();
    }

    private static Response refusal(Refusal refusal, String description) {
        Response.ResponseBuilder response = Response.status(refusal.httpStatus());
        if (refusal == Refusal.UNAUTHENTICATED) {
            response.header(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
        }
        return response.type(MediaType.APPLICATION_JSON_TYPE).entity(new ApiError(description, refusal.codeName()))
                .build();
    }
}
