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

    /** The scopes as written in the tokens file, comma-separated in declaration order, e.g. {@code read,drain}. */
    public String scopeList() {
        return scopes.isEmpty() ? "(none)" : EnumSet.copyOf(scopes).stream()
                .map(Scope::fileName)
                .collect(Collectors.joining(","));
    }
}
