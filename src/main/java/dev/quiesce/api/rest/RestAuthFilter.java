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
 * Checks the bearer token of every REST request under {@code /api/} against the scope its
 * endpoint needs ({@link RestPathAccess}) before resource matching, so even a path with no
 * resource is refused without a token. Refusals are 401 (with {@code WWW-Authenticate: Bearer})
 * or 403 with an {@link ApiError} body; an accepted request carries its principal in
 * {@link RestCaller}. A refused drain request goes to the audit log ({@link DrainCallAudit}).
 * Thread-safe; non-blocking but for the audit line of a refused drain request.
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
            return Optional.of(refusal(Refusal.PERMISSION_DENIED, denied.description()));
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

    private static Response refusal(Refusal refusal, String description) {
        Response.ResponseBuilder response = Response.status(refusal.httpStatus());
        if (refusal == Refusal.UNAUTHENTICATED) {
            response.header(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
        }
        return response.type(MediaType.APPLICATION_JSON_TYPE).entity(new ApiError(description, refusal.codeName()))
                .build();
    }
}
