package dev.quiesce.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Tokens for tests. The constants are the tokens the {@link TestHome} tokens file grants, one per
 * kind of caller; the static methods write tokens files of any other tokens
 * ({@code <principal> <scopes> <sha256-hex>} lines) and read a running app's bootstrap token.
 * The hash is computed here, not with the application's own code, so a test of the tokens file
 * checks the format rather than agreeing with itself.
 */
public enum TestTokens {
    OPERATOR("operator", "read,drain,ingest,internal", "qsc_test_operator_token_0123456789abcdef"),
    READER("dashboard", "read", "qsc_test_reader_token_0123456789abcdef"),
    INGESTER("platform", "ingest", "qsc_test_ingest_token_0123456789abcdef"),
    DRAINER("orchestrator", "read,drain", "qsc_test_drainer_token_0123456789abcdef");

    public final String principal;
    public final String scopes;
    public final String token;

    TestTokens(String principal, String scopes, String token) {
        this.principal = principal;
        this.scopes = scopes;
        this.token = token;
    }

    /** The value of the {@code authorization} header or metadata. */
    public String bearer() {
        return "Bearer " + token;
    }

    /** This token's tokens-file line. */
    public String line() {
        return line(principal, scopes, token);
    }

    /** A tokens-file line for {@code token}: {@code <principal> <scopes> <sha256-hex>}. */
    public static String line(String principal, String scopes, String token) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
            return principal + " " + scopes + " " + HexFormat.of().formatHex(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Replaces {@code <home>/tokens} with {@code lines}, the way an operator's tool would: a new
     * file moved over the old one, so a running reloader never reads half a file.
     */
    public static void writeTokens(Path home, String... lines) throws IOException {
        Path temp = Files.createTempFile(home, "tokens", ".new");
        Files.writeString(temp, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
        Files.move(temp, home.resolve("tokens"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The token in {@code <home>/control.token} (all scopes, principal {@code operator}). */
    public static String bootstrapToken(Path home) throws IOException {
        return Files.readString(home.resolve("control.token")).strip();
    }
}
