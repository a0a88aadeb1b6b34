package dev.quiesce.api;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Tokens for api tests: tokens-file lines, and the bootstrap token of a running app's home. */
public final class TestTokens {

    private TestTokens() {}

    /** A tokens-file line for {@code token}: {@code <principal> <scopes> <sha256-hex>}. */
    public static String line(String principal, String scopes, String token) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
            return principal + " " + scopes + " " + HexFormat.of().formatHex(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes {@code <home>/tokens}. */
    public static void writeTokens(Path home, String... lines) throws IOException {
        Files.writeString(home.resolve("tokens"), String.join("\n", lines) + "\n");
    }

    /** The token in {@code <home>/control.token} (all scopes, principal {@code operator}). */
    public static String bootstrapToken(Path home) throws IOException {
        return Files.readString(home.resolve("control.token")).strip();
    }
}
