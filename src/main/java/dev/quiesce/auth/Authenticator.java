package dev.quiesce.auth;

import dev.quiesce.home.OncePerInterval;
import io.quarkus.logging.Log;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.function.Supplier;

/**
 * Decides whether an {@code authorization} value ({@code Bearer <token>}) may perform an
 * operation that needs a given scope. Transport-neutral: the {@code api} package hands it the
 * gRPC metadata value or the HTTP header value.
 *
 * <p>A refusal tells the caller what is wrong and which header to send, never a path: anyone can
 * provoke one without a token, and where the gateway keeps its tokens is the operator's to know.
 * The server's log names the tokens file and the bootstrap token's file, once per distinct refusal
 * per {@link #LOG_INTERVAL} with the count of the rest, so a flood of anonymous calls adds one line a
 * minute, not one per call.
 *
 * <p>Thread-safe and non-blocking (no I/O).
 */
public final class Authenticator {

    /** How often one kind of refusal is logged at most. */
    public static final Duration LOG_INTERVAL = Duration.ofMinutes(1);

    private static final String SCHEME = "bearer";
    private static final String HOW_TO = "send 'authorization: Bearer <token>'";

    private final TokenStore tokens;
    /** Keyed by the refusal's description: one of a few fixed texts, or a principal and scope from the tokens file. */
    private final OncePerInterval<String> refusalLog;

    public Authenticator(TokenStore tokens) {
        this(tokens, Clock.systemUTC());
    }

    public Authenticator(TokenStore tokens, Clock clock) {
        this.tokens = Objects.requireNonNull(tokens, "tokens");
        this.refusalLog = OncePerInterval.every(LOG_INTERVAL, clock);
    }

    /**
     * The principal of the presented token, if it grants {@code needed}.
     *
     * @param authorization the {@code authorization} value, e.g. {@code Bearer qsc_…} (the scheme
     *     is case-insensitive); null when the caller sent none
     * @throws AuthException UNAUTHENTICATED when the value is missing, not a single bearer token,
     *     or matches no token; PERMISSION_DENIED when the token lacks {@code needed}. The
     *     description never contains the token nor a path.
     */
    public Principal authorize(String authorization, Scope needed) {
        return checked(() -> {
            Principal principal = known(authorization);
            if (!principal.has(needed)) {
                throw new AuthException(AuthException.Kind.PERMISSION_DENIED,
                        "token of principal '" + principal.name() + "' lacks scope '" + needed.fileName()
                                + "' (it has: " + principal.scopeList() + "); an operator grants scopes in the "
                                + "gateway's tokens file", principal.name());
            }
            return principal;
        });
    }

    /**
     * The principal of the presented token, whatever its scopes: for a refusal that only a known
     * caller is told (REST's 405 for a method an endpoint does not take).
     *
     * @throws AuthException UNAUTHENTICATED as {@link #authorize} does
     */
    public Principal authenticate(String authorization) {
        return checked(() -> known(authorization));
    }

    private Principal known(String authorization) {
        return tokens.authenticate(bearerToken(authorization)).orElseThrow(() -> unauthenticated(
                "unknown bearer token: the gateway accepts no such token (it may have been rotated); " + HOW_TO
                        + " with a current token"));
    }

    /** Runs {@code check}, logging the refusal it throws (once per kind per interval). */
    private Principal checked(Supplier<Principal> check) {
        try {
            return check.get();
        } catch (AuthException refused) {
            log(refused);
            throw refused;
        }
    }

    /** Logs a refusal with the paths the caller was not told, once per description per interval. */
    private void log(AuthException refused) {
        OptionalLong heldBack = refusalLog.admit(refused.description());
        if (heldBack.isEmpty()) {
            return;
        }
        Log.infof("Refused a call: %s. Tokens are checked against %s; a token generated at first start is in %s "
                + "(%s)", refused.description(), tokens.tokensFile(), tokens.controlTokenFile(),
                refusalLog.heldBackNote(heldBack.getAsLong()));
    }

    /** The token in a {@code Bearer <token>} value; throws UNAUTHENTICATED describing what is wrong. */
    private static String bearerToken(String authorization) {
        String value = authorization == null ? "" : authorization.strip();
        if (value.isEmpty()) {
            throw unauthenticated("missing bearer token: " + HOW_TO);
        }
        // By hand rather than with a regex: this runs on every call.
        int schemeEnd = 0;
        while (schemeEnd < value.length() && !isBlank(value.charAt(schemeEnd))) {
            schemeEnd++;
        }
        if (schemeEnd != SCHEME.length() || !value.regionMatches(true, 0, SCHEME, 0, schemeEnd)) {
            // Deliberately not echoing the scheme: a raw token sent without one would be it.
            throw unauthenticated("the authorization value is not a bearer token: " + HOW_TO);
        }
        int tokenStart = schemeEnd;
        while (tokenStart < value.length() && isBlank(value.charAt(tokenStart))) {
            tokenStart++;
        }
        if (tokenStart == value.length()) {
            throw unauthenticated("empty bearer token: " + HOW_TO);
        }
        for (int i = tokenStart; i < value.length(); i++) {
            if (Character.isWhitespace(value.charAt(i))) {
                throw unauthenticated(
                        "malformed bearer token: the token must be one word after 'Bearer '; " + HOW_TO);
            }
        }
        return value.substring(tokenStart);
    }

    /** What separates the scheme from the token: spaces and tabs. */
    private static boolean isBlank(char c) {
        return c == ' ' || c == '\t';
    }

    private static AuthException unauthenticated(String description) {
        return new AuthException(AuthException.Kind.UNAUTHENTICATED, description);
    }
}
