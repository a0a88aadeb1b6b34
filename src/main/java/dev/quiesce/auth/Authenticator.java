package dev.quiesce.auth;

import java.util.Objects;

/**
 * Decides whether an {@code authorization} value ({@code Bearer <token>}) may perform an
 * operation that needs a given scope. Transport-neutral: the {@code api} package hands it the
 * gRPC metadata value or the HTTP header value. Thread-safe and non-blocking (no I/O).
 */
public final class Authenticator {

    private static final String SCHEME = "bearer";

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
        // By hand rather than with a regex: this runs on every call.
        int schemeEnd = 0;
        while (schemeEnd < value.length() && !isBlank(value.charAt(schemeEnd))) {
            schemeEnd++;
        }
        if (schemeEnd != SCHEME.length() || !value.regionMatches(true, 0, SCHEME, 0, schemeEnd)) {
            // Deliberately not echoing the scheme: a raw token sent without one would be it.
            throw unauthenticated("the authorization value is not a bearer token: " + howTo());
        }
        int tokenStart = schemeEnd;
        while (tokenStart < value.length() && isBlank(value.charAt(tokenStart))) {
            tokenStart++;
        }
        if (tokenStart == value.length()) {
            throw unauthenticated("empty bearer token: " + howTo());
        }
        for (int i = tokenStart; i < value.length(); i++) {
            if (Character.isWhitespace(value.charAt(i))) {
                throw unauthenticated(
                        "malformed bearer token: the token must be one word after 'Bearer '; " + howTo());
            }
        }
        return value.substring(tokenStart);
    }

    /** What separates the scheme from the token: spaces and tabs. */
    private static boolean isBlank(char c) {
        return c == ' ' || c == '\t';
    }

    private String howTo() {
        return "send 'authorization: Bearer <token>' (see " + tokens.controlTokenFile() + ")";
    }

    private static AuthException unauthenticated(String description) {
        return new AuthException(AuthException.Kind.UNAUTHENTICATED, description);
    }
}
