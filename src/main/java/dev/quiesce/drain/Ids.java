package dev.quiesce.drain;

import java.security.SecureRandom;
import java.util.HexFormat;

/** Random identifiers: drain ids and the per-process prefix of turn ids. Thread-safe. */
final class Ids {

    private static final SecureRandom RANDOM = new SecureRandom();

    private Ids() {}

    /** A new drain id: {@code d-} and 16 hex digits. */
    static String drainId() {
        return "d-" + random(8);
    }

    /** {@code bytes} random bytes as lowercase hex. */
    static String random(int bytes) {
        byte[] buffer = new byte[bytes];
        RANDOM.nextBytes(buffer);
        return HexFormat.of().formatHex(buffer);
    }
}
