package dev.quiesce.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiPredicate;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static dev.quiesce.testing.TestTokens.line;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The token check takes the same path whichever entry matches, or none: the presented token's hash
 * is compared with every entry (with {@link MessageDigest#isEqual}, constant time per comparison,
 * in {@link TokenStore#authenticate}), never stopping at the first match. Counted here through the
 * comparison {@link TokenStore#match} is handed.
 */
class TokenComparisonTest {

    private static final List<String> TOKENS = List.of("qsc_first", "qsc_second", "qsc_third", "qsc_fourth", "qsc_fifth");

    private static final List<TokenEntry> ENTRIES = TokensFile.parse(String.join("\n",
            line("p0", "read", TOKENS.get(0)), line("p1", "read", TOKENS.get(1)), line("p2", "drain", TOKENS.get(2)),
            line("p3", "ingest", TOKENS.get(3)), line("p4", "read,drain", TOKENS.get(4)))
            .getBytes(StandardCharsets.UTF_8)).entries();

    @ParameterizedTest
    @ValueSource(ints = {0, 2, 4})
    void everyEntryIsComparedWhicheverOneMatches(int index) {
        AtomicInteger comparisons = new AtomicInteger();

        Principal found = TokenStore.match(ENTRIES, BearerTokens.sha256(TOKENS.get(index)), counting(comparisons));

        assertEquals("p" + index, found.name());
        assertEquals(ENTRIES.size(), comparisons.get());
    }

    @ParameterizedTest
    @ValueSource(strings = {"qsc_unknown", "", "qsc_first "})
    void everyEntryIsComparedWhenNoneMatches(String token) {
        AtomicInteger comparisons = new AtomicInteger();

        assertNull(TokenStore.match(ENTRIES, BearerTokens.sha256(token), counting(comparisons)));
        assertEquals(ENTRIES.size(), comparisons.get());
    }

    private static BiPredicate<byte[], byte[]> counting(AtomicInteger comparisons) {
        return (presented, stored) -> {
            comparisons.incrementAndGet();
            return MessageDigest.isEqual(presented, stored);
        };
    }
}
