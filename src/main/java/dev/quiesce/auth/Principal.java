package dev.quiesce.auth;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Who presented a token and what it may do. The name is what drains and audit lines record; it
 * always comes from the tokens file, never from a request body. Immutable and thread-safe.
 *
 * @param name the principal written in the tokens file
 * @param scopes the scopes granted to the token (an unmodifiable copy)
 */
public record Principal(String name, Set<Scope> scopes) {

    public Principal {
        Objects.requireNonNull(name, "name");
        scopes = scopes.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(scopes));
    }

    /** True if the token grants {@code scope}. */
    public boolean has(Scope scope) {
        return scopes.contains(scope);
    }

    /**
     * Checks that this principal may send a message with this {@code internal} flag: an internal
     * message (the only kind a draining gateway still starts) needs {@link Scope#INTERNAL} besides
     * the {@link Scope#INGEST} every message needs (SPEC §5); a user message needs nothing more.
     * Both message endpoints call this, after their transport checked {@code ingest}.
     *
     * @throws AuthException PERMISSION_DENIED when {@code internal} and the token lacks scope
     *     {@code internal}
     */
    public void authorizeMessage(boolean internal) {
        if (internal && !has(Scope.INTERNAL)) {
            throw new AuthException(AuthException.Kind.PERMISSION_DENIED,
                    "token of principal '" + name + "' lacks scope 'internal', needed for internal messages", name);
        }
    }

    /** The scopes as written in the tokens file, comma-separated in declaration order, e.g. {@code read,drain}. */
    public String scopeList() {
        return scopes.isEmpty() ? "(none)" : EnumSet.copyOf(scopes).stream()
                .map(Scope::fileName)
                .collect(Collectors.joining(","));
    }
}
