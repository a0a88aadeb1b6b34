package dev.quiesce.auth;

import dev.quiesce.testing.LogRecorder;
import dev.quiesce.testing.SettableClock;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

import static dev.quiesce.testing.TestTokens.line;
import static dev.quiesce.testing.TestTokens.writeTokens;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AuthenticatorTest {

    private static final String READER_TOKEN = "qsc_reader-secret-value";
    private static final String OPERATOR_TOKEN = "qsc_operator-secret-value";

    @TempDir
    Path home;

    private Authenticator authenticator;

    @BeforeEach
    void tokens() throws IOException {
        writeTokens(home,
                line("reader", "read", READER_TOKEN),
                line("operator", "read,drain,ingest,internal", OPERATOR_TOKEN));
        authenticator = new Authenticator(TokenStore.open(home));
    }

    @Test
    void tokenWithTheNeededScopeYieldsItsPrincipal() {
        Principal principal = authenticator.authorize("Bearer " + READER_TOKEN, Scope.READ);

        assertEquals(new Principal("reader", Set.of(Scope.READ)), principal);
    }

    @ParameterizedTest
    @ValueSource(strings = {"bearer ", "BEARER ", "BeArEr ", "Bearer \t ", "  Bearer "})
    void bearerSchemeIsCaseInsensitiveAndToleratesSpacing(String scheme) {
        assertEquals("operator", authenticator.authorize(scheme + OPERATOR_TOKEN + " ", Scope.DRAIN).name());
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"", "   "})
    void missingTokenIsUnauthenticatedAndSaysHowToSendOne(String authorization) {
        AuthException refused = refused(authorization, Scope.READ);

        assertEquals(AuthException.Kind.UNAUTHENTICATED, refused.kind());
        assertEquals("missing bearer token: send 'authorization: Bearer <token>'", refused.description());
    }

    @ParameterizedTest
    @ValueSource(strings = {"Basic " + READER_TOKEN, READER_TOKEN, "Token " + READER_TOKEN, "Bearer:" + READER_TOKEN})
    void otherSchemeIsUnauthenticatedWithoutEchoingIt(String authorization) {
        AuthException refused = refused(authorization, Scope.READ);

        assertEquals(AuthException.Kind.UNAUTHENTICATED, refused.kind());
        assertTrue(refused.description().startsWith("the authorization value is not a bearer token: send "
                + "'authorization: Bearer <token>'"), refused.description());
        assertFalse(refused.description().contains(READER_TOKEN), refused.description());
    }

    @ParameterizedTest
    @ValueSource(strings = {"Bearer", "Bearer   ", "bearer\t"})
    void emptyBearerTokenIsUnauthenticated(String authorization) {
        AuthException refused = refused(authorization, Scope.READ);

        assertEquals(AuthException.Kind.UNAUTHENTICATED, refused.kind());
        assertTrue(refused.description().startsWith("empty bearer token: "), refused.description());
    }

    @Test
    void tokenOfSeveralWordsIsUnauthenticated() {
        AuthException refused = refused("Bearer " + READER_TOKEN + " " + OPERATOR_TOKEN, Scope.READ);

        assertEquals(AuthException.Kind.UNAUTHENTICATED, refused.kind());
        assertTrue(refused.description().startsWith("malformed bearer token: "), refused.description());
    }

    @Test
    void unknownTokenIsUnauthenticatedAndSaysWhichHeaderToSend() {
        AuthException refused = refused("Bearer qsc_nobody-has-this", Scope.READ);

        assertEquals(AuthException.Kind.UNAUTHENTICATED, refused.kind());
        assertEquals("unknown bearer token: the gateway accepts no such token (it may have been rotated); "
                + "send 'authorization: Bearer <token>' with a current token", refused.description());
    }

    @Test
    void tokenWithoutTheNeededScopeIsPermissionDeniedNamingPrincipalAndScope() {
        AuthException refused = refused("Bearer " + READER_TOKEN, Scope.DRAIN);

        assertEquals(AuthException.Kind.PERMISSION_DENIED, refused.kind());
        assertEquals("token of principal 'reader' lacks scope 'drain' (it has: read); an operator grants scopes "
                + "in the gateway's tokens file", refused.description());
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"", "Basic x", "Bearer", "Bearer a b", "Bearer qsc_unknown", "Bearer " + READER_TOKEN})
    void noRefusalNamesAPath(String authorization) {
        AuthException refused = refused(authorization, Scope.DRAIN);

        assertFalse(refused.description().contains(home.toString()), refused.description());
        assertFalse(refused.description().contains("control.token"), refused.description());
    }

    @Test
    void theLogNamesThePathsOncePerKindOfRefusalPerIntervalWithTheCountOfTheRest() throws IOException {
        SettableClock clock = new SettableClock(Instant.parse("2026-05-01T10:00:00Z"));
        Authenticator flooded = new Authenticator(TokenStore.open(home), clock);

        try (LogRecorder log = LogRecorder.expecting(Authenticator.class)) {
            for (int i = 0; i < 100; i++) {
                assertThrows(AuthException.class, () -> flooded.authorize(null, Scope.READ));
                assertThrows(AuthException.class, () -> flooded.authorize("Bearer qsc_unknown", Scope.READ));
            }
            clock.advance(Authenticator.LOG_INTERVAL);
            assertThrows(AuthException.class, () -> flooded.authorize(null, Scope.READ));

            List<String> lines = log.all();
            assertEquals(3, lines.size(), lines.toString());
            assertTrue(lines.get(0).startsWith("Refused a call: missing bearer token: send 'authorization: Bearer "
                    + "<token>'. Tokens are checked against " + home.resolve("tokens") + "; a token generated at first "
                    + "start is in " + home.resolve("control.token")), lines.get(0));
            assertTrue(lines.get(1).startsWith("Refused a call: unknown bearer token"), lines.get(1));
            assertTrue(lines.get(2).startsWith("Refused a call: missing bearer token"), lines.get(2));
            assertTrue(lines.get(2).endsWith("(99 more like it since the last such line were not logged)"), lines.get(2));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "Bearer " + READER_TOKEN,            // lacks the scope
        "Bearer " + READER_TOKEN + "x",      // unknown
        "Bearer " + READER_TOKEN + " more",  // malformed
        READER_TOKEN,                        // no scheme
        "Basic " + READER_TOKEN})            // other scheme
    void noDescriptionContainsTheTokenOrItsHash(String authorization) {
        AuthException refused = refused(authorization, Scope.INTERNAL);

        String hash = BearerTokens.sha256Hex(READER_TOKEN);
        assertFalse(refused.description().contains(READER_TOKEN), refused.description());
        assertFalse(refused.description().toLowerCase(Locale.ROOT).contains(hash), refused.description());
        assertFalse(refused.description().contains("secret-value"), refused.description());
    }

    private AuthException refused(String authorization, Scope needed) {
        return assertThrows(AuthException.class, () -> authenticator.authorize(authorization, needed));
    }
}
