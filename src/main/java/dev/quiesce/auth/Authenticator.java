package dev.quiesce.auth;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Decides whether an {@code authorization} value ({@code Bearer <token>}) may perform an
 * operation that needs a given scope. Transport-neutral: the {@code api} package hands it the
 * gRPC metadata value or the HTTP header value. Thread-safe and non-blocking (no I/O).
 */
public final class Authenticator {

    private static final String SCHEME = "bearer";
    /** Compiled once: {@code String.split} would compile this regex on every call, and this runs on every call. */
    private static final Pattern BLANKS = Pattern.compile("[ \t]+");

    private final TokenStore tokens;

    public Authenticator(TokenStore tokens) {
        this.tokens = Objects.requireNonNull(tokens, "tokens");
    }

    /**
     * The principal of the presented token, if it grants {@code needed}.
     *
     * @param authorization the {@code authorization} value, e.g. {@code Bearer qsc_…} (the scheme
     *     is case-insensitive); null when the caller sent none
     * @throws AuthException UNAUTHENTICATED when the value is missing, not a single bearer token,
     *     or matches no token; PERMISSION_DENIED when the token lacks {@code needed}. The
     *     description never contains the token.
     */
    public Principal authorize(String authorization, Scope needed) {
        String token = bearerToken(authorization);
        Principal principal = tokens.authenticate(token).orElseThrow(() -> unauthenticated(
                "unknown bearer token: it matches no entry in " + tokens.tokensFile()
                        + " (it may have been rotated; the bootstrap token is in " + tokens.controlTokenFile() + ")"));
        if (!principal.has(needed)) {
            throw new AuthException(AuthException.Kind.PERMISSION_DENIED,
                    "token of principal '" + principal.name() + "' lacks scope '" + needed.fileName()
                            + "' (it has: " + principal.scopeList() + "); grant it in " + tokens.tokensFile());
        }
        return principal;
    }

    /** The token in a {@code Bearer <token>} value; throws UNAUTHENTICATED describing what is wrong. */
    private String bearerToken(String authorization) {
        String value = authorization == null ? "" : authorization.strip();
        if (value.isEmpty()) {
            throw unauthenticated("missing bearer token: " + howTo());
        }
        String[] parts = BLANKS.split(value, 2);
        if (!parts[0].toLowerCase(Locale.ROOT).equals(SCHEME)) {
            // Deliberately not echoing the scheme: a raw token sent without one would be it.
            throw unauthenticated("the authorization value is not a bearer token: " + howTo());
        }
        if (parts.length < 2 || parts[1].isEmpty()) {
            throw unauthenticated("empty bearer token: " + howTo());
        }
        if (parts[1].chars().anyMatch(Character::isWhitespace)) {
            throw unauthenticated("malformed bearer token: the token must be one word after 'Bearer '; " + howTo());
        }
        return parts[1];
    }

    private String howTo() {
        return "send 'authorization: Bearer <token>' (see " + tokens.controlTokenFile() + ")";
    }

    private static AuthException unauthenticated(String description) {
        return new AuthException(AuthException.Kind.UNAUTHENTICATED, description);
    }
}
