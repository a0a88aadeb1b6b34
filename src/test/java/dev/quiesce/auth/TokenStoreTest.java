package dev.quiesce.auth;

import dev.quiesce.testing.LogRecorder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static dev.quiesce.testing.TestTokens.line;
import static dev.quiesce.testing.TestTokens.writeTokens;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokenStoreTest {

    @TempDir
    Path home;

    @Test
    void firstStartWritesTheTokenToControlTokenAndOnlyItsHashToTheTokensFile() throws IOException {
        TokenStore store = TokenStore.open(home);

        Path controlToken = home.resolve("control.token");
        Path tokens = home.resolve("tokens");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(controlToken)));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(tokens)));
        String token = Files.readString(controlToken).strip();
        assertTrue(token.matches("qsc_[A-Za-z0-9_-]{43}"), "a prefixed, unpadded URL-safe base64 of 32 bytes");
        String tokensText = Files.readString(tokens);
        assertFalse(tokensText.contains(token), "the tokens file must never hold the token itself");
        assertTrue(tokensText.contains("operator read,drain,ingest,internal " + BearerTokens.sha256Hex(token)),
                tokensText);
        assertEquals(Optional.of(new Principal("operator", EnumSet.allOf(Scope.class))), store.authenticate(token));
    }

    @Test
    void firstStartLogsTheControlTokenPathButNeverTheToken() throws IOException {
        List<String> logged;
        try (LogRecorder log = LogRecorder.expecting(TokenStore.class)) {
            TokenStore.open(home);
            logged = log.all();
        }

        String token = Files.readString(home.resolve("control.token")).strip();
        assertTrue(logged.stream().anyMatch(m -> m.contains(home.resolve("control.token").toString())), logged.toString());
        assertTrue(logged.stream().noneMatch(m -> m.contains(token) || m.contains(BearerTokens.sha256Hex(token))),
                logged.toString());
    }

    @Test
    void eachFirstStartGeneratesADifferentToken(@TempDir Path otherHome) throws IOException {
        TokenStore.open(home);
        TokenStore.open(otherHome);

        assertFalse(Files.readString(home.resolve("control.token"))
                .equals(Files.readString(otherHome.resolve("control.token"))));
    }

    @Test
    void laterStartKeepsTheExistingTokensFileAndControlToken() throws IOException {
        TokenStore.open(home);
        byte[] tokensBefore = Files.readAllBytes(home.resolve("tokens"));
        String token = Files.readString(home.resolve("control.token")).strip();

        TokenStore again = TokenStore.open(home);

        assertEquals(new String(tokensBefore, StandardCharsets.UTF_8), Files.readString(home.resolve("tokens")));
        assertEquals(token, Files.readString(home.resolve("control.token")).strip());
        assertEquals("operator", again.authenticate(token).orElseThrow().name());
    }

    @Test
    void existingTokensFileIsUsedWithoutWritingAControlToken() throws IOException {
        writeTokens(home, line("ci", "read", "token-of-ci"));

        TokenStore store = TokenStore.open(home);

        assertFalse(Files.exists(home.resolve("control.token")));
        assertEquals(Optional.of(new Principal("ci", Set.of(Scope.READ))), store.authenticate("token-of-ci"));
    }

    @Test
    void rotatedTokensFileTakesEffectOnRefresh() throws IOException {
        writeTokens(home, line("ci", "read", "old-token"));
        TokenStore store = TokenStore.open(home);

        writeTokens(home, line("ci", "read,drain", "new-token"));
        store.refresh();

        assertEquals(Optional.empty(), store.authenticate("old-token"));
        assertEquals(Set.of(Scope.READ, Scope.DRAIN), store.authenticate("new-token").orElseThrow().scopes());
    }

    @Test
    void fileEditedInPlaceTakesEffectOnRefresh() throws IOException {
        writeTokens(home, line("ci", "read", "old-token"));
        TokenStore store = TokenStore.open(home);

        Files.writeString(home.resolve("tokens"), line("ci", "read", "old-token") + "\n"
                + line("bot", "ingest", "bot-token") + "\n");
        store.refresh();

        assertEquals("bot", store.authenticate("bot-token").orElseThrow().name());
        assertEquals("ci", store.authenticate("old-token").orElseThrow().name());
    }

    @Test
    void unchangedFileIsNotReloaded() throws IOException {
        writeTokens(home, line("ci", "read", "token-of-ci"));
        TokenStore store = TokenStore.open(home);

        List<String> logged;
        try (LogRecorder log = LogRecorder.expecting(TokenStore.class)) {
            store.refresh();
            store.refresh();
            logged = log.all();
        }

        assertEquals(List.of(), logged);
        assertEquals(1, store.size());
    }

    @Test
    void malformedLinesAreSkippedWithTheirLineNumberButNotTheirContent() throws IOException {
        String pastedToken = "qsc_pastedRawTokenWhereTheHashBelongs0000000000";
        writeTokens(home,
                "# principal scopes sha256",           // 1
                "",                                     // 2
                line("good", "read", "good-token"),     // 3
                "lonely " + pastedToken,                // 4: two fields
                "bad read " + pastedToken,              // 5: not a hash
                line("typo", "read,drian", "t1"),       // 6: unknown scope
                line("empty", "read,,drain", "t2"),     // 7: empty scope
                line("spa ce", "read", "t3"),           // 8: four fields
                line("bad\u00e9name", "read", "t4"),    // 9: principal characters
                line("dup", "drain", "good-token"),     // 10: same hash as line 3
                "   \t",                                // 11: blank
                line("last", "ingest", "last-token"));  // 12

        List<String> warnings;
        TokenStore store;
        try (LogRecorder log = LogRecorder.expecting(TokenStore.class)) {
            store = TokenStore.open(home);
            warnings = log.messages(Level.WARNING);
        }

        assertEquals(2, store.size());
        assertEquals("good", store.authenticate("good-token").orElseThrow().name());
        assertEquals("last", store.authenticate("last-token").orElseThrow().name());
        for (int skipped : new int[] {4, 5, 6, 7, 8, 9, 10}) {
            assertTrue(warnings.stream().anyMatch(w -> w.contains("line " + skipped + ":")), "line " + skipped + " in " + warnings);
        }
        assertEquals(7, warnings.size(), warnings.toString());
        assertTrue(warnings.stream().noneMatch(w -> w.contains(pastedToken) || w.contains("drian")
                || w.contains(BearerTokens.sha256Hex("t1"))), warnings.toString());
    }

    @Test
    void upperCaseHashAndTabsAreAccepted() throws IOException {
        writeTokens(home, "ci\tread\t" + BearerTokens.sha256Hex("token-of-ci").toUpperCase(Locale.ROOT));

        assertEquals("ci", TokenStore.open(home).authenticate("token-of-ci").orElseThrow().name());
    }

    @Test
    void everyOneOfSeveralTokensAuthenticatesAsItsOwnPrincipal() throws IOException {
        writeTokens(home,
                line("first", "read", "token-1"),
                line("second", "drain", "token-2"),
                line("third", "ingest,internal", "token-3"));
        TokenStore store = TokenStore.open(home);

        assertEquals(Optional.of(new Principal("first", Set.of(Scope.READ))), store.authenticate("token-1"));
        assertEquals(Optional.of(new Principal("second", Set.of(Scope.DRAIN))), store.authenticate("token-2"));
        assertEquals(Optional.of(new Principal("third", Set.of(Scope.INGEST, Scope.INTERNAL))),
                store.authenticate("token-3"));
    }

    @Test
    void unknownTokenAuthenticatesNobody() throws IOException {
        writeTokens(home, line("first", "read", "token-1"), line("second", "drain", "token-2"));
        TokenStore store = TokenStore.open(home);

        assertEquals(Optional.empty(), store.authenticate("token-3"));
        assertEquals(Optional.empty(), store.authenticate("token-1 "));
        assertEquals(Optional.empty(), store.authenticate(BearerTokens.sha256Hex("token-1")));
        assertEquals(Optional.empty(), store.authenticate(""));
        assertEquals(Optional.empty(), store.authenticate(null));
    }

    @Test
    void unreadableFileKeepsTheLastGoodSetAndIsReportedOnce() throws IOException {
        writeTokens(home, line("ci", "read", "token-of-ci"));
        TokenStore store = TokenStore.open(home);
        Files.delete(home.resolve("tokens"));
        Files.createDirectory(home.resolve("tokens"));

        List<String> warnings;
        try (LogRecorder log = LogRecorder.expecting(TokenStore.class)) {
            store.refresh();
            store.refresh();
            store.refresh();
            warnings = log.messages(Level.WARNING);
        }

        assertEquals("ci", store.authenticate("token-of-ci").orElseThrow().name());
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("keeping the 1 token(s)"), warnings.get(0));
    }

    @Test
    void deletedFileKeepsTheLastGoodSetUntilANewOneAppears() throws IOException {
        writeTokens(home, line("ci", "read", "token-of-ci"));
        TokenStore store = TokenStore.open(home);

        Files.delete(home.resolve("tokens"));
        store.refresh();
        assertTrue(store.authenticate("token-of-ci").isPresent());

        writeTokens(home, line("ci", "read", "rotated"));
        store.refresh();
        assertEquals(Optional.empty(), store.authenticate("token-of-ci"));
        assertTrue(store.authenticate("rotated").isPresent());
    }

    @Test
    void unreadableFileAtStartRefusesEveryTokenUntilItCanBeRead() throws IOException {
        Files.createDirectory(home.resolve("tokens"));

        TokenStore store;
        try (LogRecorder log = LogRecorder.expecting(TokenStore.class)) {
            store = TokenStore.open(home);
            assertTrue(log.messages(Level.SEVERE).stream().anyMatch(line -> line.contains("Cannot read the tokens file")),
                    log.all().toString());
        }
        assertEquals(0, store.size());
        assertFalse(Files.exists(home.resolve("control.token")), "an occupied path is not a missing file");

        Files.delete(home.resolve("tokens"));
        writeTokens(home, line("ci", "read", "token-of-ci"));
        store.refresh();
        assertTrue(store.authenticate("token-of-ci").isPresent());
    }

    @Test
    void fileWithOnlyCommentsHoldsNoTokens() throws IOException {
        writeTokens(home, "# all tokens revoked");

        TokenStore store = TokenStore.open(home);

        assertEquals(0, store.size());
        assertFalse(Files.exists(home.resolve("control.token")));
    }
}
