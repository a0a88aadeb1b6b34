package dev.quiesce.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes tokens files for tests. */
final class TokenFixtures {

    private TokenFixtures() {}

    /** A tokens-file line for {@code token}. */
    static String line(String principal, String scopes, String token) {
        return principal + " " + scopes + " " + BearerTokens.sha256Hex(token);
    }

    /** Replaces {@code <home>/tokens} with {@code lines} (the way an operator's tool would: a new file). */
    static void writeTokens(Path home, String... lines) throws IOException {
        Path temp = Files.createTempFile(home, "tokens", ".new");
        Files.writeString(temp, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
        Files.move(temp, home.resolve(TokenStore.TOKENS_FILE), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
