package dev.quiesce.api;

import dev.quiesce.auth.Scope;

/**
 * What an endpoint needs from its caller: the answer of both transports' access tables
 * ({@code api.grpc.GrpcMethodAccess}, {@code api.rest.RestPathAccess}). Immutable.
 */
public sealed interface AccessRule {

    /** No token needed (health, reflection). */
    record Open() implements AccessRule {}

    /** A token with {@code scope}. */
    record Needs(Scope scope) implements AccessRule {}

    /**
     * Refused whatever the token: the endpoint has no rule, and an endpoint someone forgot to map
     * must fail closed rather than open.
     *
     * @param description for the caller, naming the endpoint
     */
    record Denied(String description) implements AccessRule {}
}
