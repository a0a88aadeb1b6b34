package dev.quiesce.auth;

import java.util.Objects;

/**
 * A request was refused by {@link Authenticator}. The message is a description a person can act
 * on; it never contains the presented token or its hash. The {@code api} package maps the kind to
 * a gRPC {@code Status} or an HTTP code. Immutable and thread-safe.
 */
public final class AuthException extends RuntimeException {

    /** Why the request was refused. */
    public enum Kind {
        /** No token, a malformed authorization value, or a token no entry matches. */
        UNAUTHENTICATED,
        /** A known token without the scope the operation needs. */
        PERMISSION_DENIED
    }

    private final Kind kind;
    private final String principal;

    /** A refusal of a caller whose token is not known (UNAUTHENTICATED). */
    public AuthException(Kind kind, String description) {
        this(kind, description, "");
    }

    /**
     * @param principal the caller's, from its token; empty when the token is not known
     */
    public AuthException(Kind kind, String description, String principal) {
        // No stack trace: this is an expected refusal, thrown on every bad call.
        super(description, null, false, false);
        this.kind = Objects.requireNonNull(kind, "kind");
        this.principal = Objects.requireNonNull(principal, "principal");
    }

    /** Why the request was refused. */
    public Kind kind() {
        return kind;
    }

    /** The refused caller's principal, or empty when its token is not known. */
    public String principal() {
        return principal;
    }

    /** What was wrong and what to do about it (same as {@link #getMessage()}). */
    public String description() {
        return getMessage();
    }
}
