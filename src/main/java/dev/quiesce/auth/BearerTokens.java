package dev.quiesce.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/** Generating and hashing bearer tokens. Stateless and thread-safe. */
final class BearerTokens {

    /** Marks a Quiesce token so a leaked one is recognisable (for secret scanners and people). */
    static final String PREFIX = "qsc_";

    /** 256 bits of randomness. */
    private static final int RANDOM_BYTES = 32;

    private static final SecureRandom RANDOM = new SecureRandom();

    private BearerTokens() {}

    /** A fresh token: {@code qsc_} followed by 32 random bytes in unpadded URL-safe base64. */
    static String generate() {
        byte[] bytes = new byte[RANDOM_BYTES];
        RANDOM.nextBytes(bytes);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** SHA-256 of the token's UTF-8 bytes (what {@code printf %s "$TOKEN" | sha256sum} prints). */
    static byte[] sha256(String token) {
        // digest() resets the instance; one per thread because MessageDigest is not thread-safe, and
        // getInstance() searches the security providers on every call (it ran on every gRPC call).
        return SHA256.get().digest(token.getBytes(StandardCharsets.UTF_8));
    }

    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform provides SHA-256", e);
        }
    });

    /** {@link #sha256} as 64 lowercase hex digits, the form the tokens file holds. */
    static String sha256Hex(String token) {
        return HexFormat.of().formatHex(sha256(token));
    }
}
