package dev.quiesce.api.rest;

import dev.quiesce.auth.Principal;
import jakarta.enterprise.context.RequestScoped;
import java.util.Optional;

/**
 * The authenticated caller of the current REST request, set by {@link RestAuthFilter} before the
 * resource runs. Inject it into a resource. One instance per request, used by one thread at a time.
 */
@RequestScoped
class RestCaller {

    private Principal principal;

    void authenticated(Principal principal) {
        this.principal = principal;
    }

    /** The caller, or empty for a request that needed no token. */
    public Optional<Principal> current() {
        return Optional.ofNullable(principal);
    }

    /**
     * The caller of this authenticated request.
     *
     * @throws IllegalStateException when the request needed no token (not under {@code /api/})
     */
    public Principal principal() {
        return current().orElseThrow(() -> new IllegalStateException(
                "no authenticated caller: only requests under /api/ carry one"));
    }
}
