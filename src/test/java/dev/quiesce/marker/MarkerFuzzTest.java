package dev.quiesce.marker;

import dev.quiesce.home.IsoTimes;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.AnnotatedElementContext;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.io.TempDirFactory;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Throws random and damaged files at the marker path and checks the fail-safe directions: a read
 * never throws; a file that is not one JSON object drains (UNPARSEABLE_ACTIVE while fresh); nothing
 * suppresses the shutdown notification unless the object says {@code "suppress_notification": true}.
 *
 * <p>Whether a file is a JSON object is decided by {@link StrictJson}, an independent RFC 8259
 * parser written for this test. Seeded, so a failure names the seed and case that reproduce it.
 */
class MarkerFuzzTest {

    private static final long SEED = 0x5eed_2026_0626L;
    private static final Instant NOW = Instant.parse("2026-06-26T08:00:00Z");
    private static final Instant FRESH_MTIME = NOW.minusSeconds(60);
    private static final String EPOCH = FakeProc.BOOT_ID + ":14";

    private static final String[] TOKENS = {
        "{", "}", "[", "]", ":", ",", " ", "\n", "\t", "\r", "\"", "\\", "\"action\"", "\"drain\"",
        "\"suppress_notification\"", "\"epoch\"", "\"requested_at\"", "\"lease_expires_at\"", "\"" + EPOCH + "\"",
        "\"2026-06-26T07:59:00.000000+00:00\"", "true", "false", "null", "0", "-1", "1.5e3", "01", "1.", "NaN",
        "Infinity", "'", "x", "\\u00e9", "\\ud83d", "\\n", "\\q", "é", "\u2028", "\u0000", "\u007f", "\ufeff", "{}",
        "[]", "//", "/*", "*/",
    };

    /** In RAM when possible: twelve thousand file rewrites on a busy ext4 disk take seconds. */
    @TempDir(factory = RamFirst.class)
    Path home;

    /** {@code /dev/shm} (tmpfs) when there is one, else the default temp directory. */
    static final class RamFirst implements TempDirFactory {
        @Override
        public Path createTempDirectory(AnnotatedElementContext element, ExtensionContext context) throws IOException {
            Path shm = Path.of("/dev/shm");
            if (Files.isDirectory(shm) && Files.isWritable(shm)) {
                return Files.createTempDirectory(shm, "quiesce-fuzz");
            }
            return Files.createTempDirectory("quiesce-fuzz");
        }
    }

    @Test
    @Timeout(30)
    void randomMarkerFilesFailTowardDrainingAndNeverTowardSilence() throws IOException {
        Random random = new Random(SEED);
        DrainMarkerStore store = new DrainMarkerStore(home);
        MarkerJudge judge = new MarkerJudge(EPOCH, Duration.ofHours(1));
        List<byte[]> valid = List.of(
                MarkerCodec.encode(new DrainMarker("drain", NOW.minusSeconds(30), "nas", EPOCH, true, "d-1",
                        "image migration", NOW.plusSeconds(3600))),
                MarkerCodec.encode(new DrainMarker("drain", NOW.minusSeconds(30), "ops", EPOCH, false, null, null, null)),
                MarkerCodecTest.REFERENCE_MARKER.getBytes(StandardCharsets.UTF_8));

        Tally tally = new Tally();
        int index = 0;
        for (byte[] marker : valid) {
            for (int length = 0; length <= marker.length; length++) {
                check(store, judge, "prefix", index++, Arrays.copyOf(marker, length), tally);
            }
        }
        List<Generator> generators = List.of(
                new Generator("random bytes", r -> randomBytes(r)),
                new Generator("json-ish tokens", r -> utf8(jsonish(r))),
                new Generator("random JSON", r -> utf8(randomJson(r, 0, true))),
                new Generator("mutated marker", r -> mutate(r, valid.get(r.nextInt(valid.size())))));
        for (int round = 0; round < 3_000; round++) {
            for (Generator generator : generators) {
                check(store, judge, generator.name, index++, generator.make.apply(random), tally);
            }
        }

        assertTrue(index >= 10_000, "only " + index + " cases");
        // The generators must reach both sides of every property, or the test proves little.
        assertTrue(tally.objects > 1_000, "objects: " + tally.objects);
        assertTrue(tally.nonObjects > 5_000, "non-objects: " + tally.nonObjects);
        assertTrue(tally.suppressing > 50, "suppressing: " + tally.suppressing);
        assertTrue(tally.literalTrueButNotSuppressing > 50, "quiet but ignored: " + tally.literalTrueButNotSuppressing);
    }

    private static void check(DrainMarkerStore store, MarkerJudge judge, String generator, int index, byte[] input,
            Tally tally) throws IOException {
        // A fresh file each time: truncating and rewriting one makes ext4 flush it (auto_da_alloc).
        Files.deleteIfExists(store.path());
        Files.write(store.path(), input, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        Files.setLastModifiedTime(store.path(), FileTime.from(FRESH_MTIME));
        Supplier<String> where = () -> "seed " + SEED + ", case " + index + " (" + generator + "): " + describe(input);

        MarkerRead read;
        MarkerJudgement judgement;
        try {
            read = store.read();
            judgement = judge.judge(read, NOW);
        } catch (RuntimeException | Error e) {
            throw new AssertionError("read or judge threw for " + where.get(), e);
        }

        Object oracle = StrictJson.parseOrNull(input);
        boolean isObject = oracle instanceof Map;
        boolean literalTrue = isObject && Boolean.TRUE.equals(((Map<?, ?>) oracle).get("suppress_notification"));

        if (!isObject) {
            tally.nonObjects++;
            if (!(read instanceof MarkerRead.Unparseable) || judgement.status() != MarkerStatus.UNPARSEABLE_ACTIVE) {
                fail("not a JSON object, yet read as " + read + " and judged " + judgement.status() + " for " + where.get());
            }
        } else {
            tally.objects++;
            if (!(read instanceof MarkerRead.Present)) {
                fail("a JSON object, yet read as " + read + " for " + where.get());
            }
            if (judgement.status() != MarkerStatus.ACTIVE && judgement.status() != MarkerStatus.IGNORED) {
                fail("a JSON object judged " + judgement.status() + " for " + where.get());
            }
        }
        if (judgement.suppressesNotification()) {
            tally.suppressing++;
            if (!literalTrue) {
                fail("suppresses without a literal \"suppress_notification\": true for " + where.get());
            }
        } else if (literalTrue) {
            tally.literalTrueButNotSuppressing++;
        }
    }

    // --- generators ---------------------------------------------------------------------------------

    private record Generator(String name, Function<Random, byte[]> make) {}

    private static final class Tally {
        int objects;
        int nonObjects;
        int suppressing;
        int literalTrueButNotSuppressing;
    }

    private static byte[] randomBytes(Random random) {
        byte[] bytes = new byte[random.nextInt(65)];
        random.nextBytes(bytes);
        if (bytes.length > 0 && random.nextBoolean()) {
            bytes[0] = '{'; // get past the first character now and then
        }
        return bytes;
    }

    private static String jsonish(Random random) {
        StringBuilder text = new StringBuilder();
        int count = 1 + random.nextInt(16);
        for (int i = 0; i < count; i++) {
            text.append(TOKENS[random.nextInt(TOKENS.length)]);
        }
        return text.toString();
    }

    /** A valid JSON value; at the top it is an object most of the time, with the marker's keys. */
    private static String randomJson(Random random, int depth, boolean top) {
        int kind = top ? (random.nextInt(10) < 7 ? 0 : 1 + random.nextInt(6)) : random.nextInt(depth > 3 ? 6 : 8) + 1;
        switch (kind) {
            case 0, 7 -> {
                List<String> keys = new ArrayList<>(List.of("action", "requested_at", "principal", "epoch",
                        "suppress_notification", "drain_id", "reason", "lease_expires_at", "other"));
                StringBuilder object = new StringBuilder("{");
                int fields = random.nextInt(keys.size() + 2);
                for (int i = 0; i < fields; i++) {
                    if (i > 0) {
                        object.append(',').append(random.nextBoolean() ? " " : "\n  ");
                    }
                    String key = keys.get(random.nextInt(keys.size()));
                    object.append(quote(key)).append(": ").append(valueFor(random, key, depth));
                }
                return object.append(random.nextBoolean() ? "}" : "}\n").toString();
            }
            case 8 -> {
                StringBuilder array = new StringBuilder("[");
                int items = random.nextInt(4);
                for (int i = 0; i < items; i++) {
                    array.append(i > 0 ? ", " : "").append(randomJson(random, depth + 1, false));
                }
                return array.append(']').toString();
            }
            case 1 -> {
                return "null";
            }
            case 2 -> {
                return random.nextBoolean() ? "true" : "false";
            }
            case 3 -> {
                return Integer.toString(random.nextInt(2_000_001) - 1_000_000);
            }
            case 4 -> {
                return random.nextInt(1000) + "." + random.nextInt(1000) + (random.nextBoolean() ? "e-3" : "");
            }
            default -> {
                return quote(randomText(random));
            }
        }
    }

    private static String valueFor(Random random, String key, int depth) {
        if (random.nextInt(3) > 0) {
            return randomJson(random, depth + 1, false); // any type at all
        }
        return switch (key) {
            case "suppress_notification" -> random.nextBoolean() ? "true" : quote("true");
            case "epoch" -> quote(random.nextBoolean() ? EPOCH : "other:" + random.nextInt(9));
            case "requested_at", "lease_expires_at" ->
                    quote(IsoTimes.format(NOW.plusSeconds(random.nextInt(4 * 3600) - 2 * 3600)));
            default -> quote(randomText(random));
        };
    }

    private static String randomText(Random random) {
        String alphabet = "abc drain\u00e9\u2713\ud83d\ude80\"\\\n\t/";
        StringBuilder text = new StringBuilder();
        int length = random.nextInt(12);
        for (int i = 0; i < length; i++) {
            text.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return text.toString();
    }

    private static byte[] mutate(Random random, byte[] original) {
        List<Byte> bytes = new ArrayList<>();
        for (byte b : original) {
            bytes.add(b);
        }
        int mutations = 1 + random.nextInt(4);
        for (int m = 0; m < mutations && !bytes.isEmpty(); m++) {
            int at = random.nextInt(bytes.size());
            switch (random.nextInt(5)) {
                case 0 -> bytes.set(at, (byte) (bytes.get(at) ^ (1 << random.nextInt(8))));
                case 1 -> bytes.add(at, (byte) random.nextInt(256));
                case 2 -> bytes.remove(at);
                case 3 -> {
                    byte[] token = utf8(TOKENS[random.nextInt(TOKENS.length)]);
                    for (int i = token.length - 1; i >= 0; i--) {
                        bytes.add(at, token[i]);
                    }
                }
                default -> {
                    int end = Math.min(bytes.size(), at + 1 + random.nextInt(8));
                    bytes.subList(at, end).clear();
                }
            }
        }
        byte[] result = new byte[bytes.size()];
        for (int i = 0; i < result.length; i++) {
            result[i] = bytes.get(i);
        }
        return result;
    }

    private static String quote(String text) {
        StringBuilder quoted = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> quoted.append("\\\"");
                case '\\' -> quoted.append("\\\\");
                case '\n' -> quoted.append("\\n");
                case '\t' -> quoted.append("\\t");
                default -> quoted.append(c);
            }
        }
        return quoted.append('"').toString();
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String describe(byte[] input) {
        StringBuilder hex = new StringBuilder();
        for (byte b : input) {
            hex.append(String.format("%02x", b));
        }
        return new String(input, StandardCharsets.UTF_8).replace("\n", "\\n") + " [hex " + hex + "]";
    }

    // --- the oracle ---------------------------------------------------------------------------------

    /**
     * A strict RFC 8259 parser: UTF-8 text, one value, whitespace only around it. Objects become
     * maps (a repeated key keeps its last value, as Python and Jackson do), arrays lists, literals
     * Booleans or {@link #NULL}.
     */
    static final class StrictJson {

        static final Object NULL = new Object();

        private final String text;
        private int at;

        private StrictJson(String text) {
            this.text = text;
        }

        /** The value, or null when {@code bytes} are not exactly one JSON text. */
        static Object parseOrNull(byte[] bytes) {
            String text;
            try {
                text = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(bytes))
                        .toString();
            } catch (CharacterCodingException e) {
                return null;
            }
            StrictJson parser = new StrictJson(text);
            try {
                parser.whitespace();
                Object value = parser.value();
                parser.whitespace();
                return parser.at == text.length() ? value : null;
            } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
                return null;
            }
        }

        private Object value() {
            char c = text.charAt(at);
            switch (c) {
                case '{':
                    return object();
                case '[':
                    return array();
                case '"':
                    return string();
                case 't':
                    literal("true");
                    return Boolean.TRUE;
                case 'f':
                    literal("false");
                    return Boolean.FALSE;
                case 'n':
                    literal("null");
                    return NULL;
                default:
                    return number();
            }
        }

        private Map<String, Object> object() {
            Map<String, Object> object = new LinkedHashMap<>();
            at++;
            whitespace();
            if (text.charAt(at) == '}') {
                at++;
                return object;
            }
            while (true) {
                whitespace();
                if (text.charAt(at) != '"') {
                    throw new IllegalArgumentException("key expected");
                }
                String key = string();
                whitespace();
                expect(':');
                whitespace();
                object.remove(key);
                object.put(key, value());
                whitespace();
                char c = text.charAt(at++);
                if (c == '}') {
                    return object;
                }
                if (c != ',') {
                    throw new IllegalArgumentException(", or } expected");
                }
            }
        }

        private List<Object> array() {
            List<Object> array = new ArrayList<>();
            at++;
            whitespace();
            if (text.charAt(at) == ']') {
                at++;
                return array;
            }
            while (true) {
                whitespace();
                array.add(value());
                whitespace();
                char c = text.charAt(at++);
                if (c == ']') {
                    return array;
                }
                if (c != ',') {
                    throw new IllegalArgumentException(", or ] expected");
                }
            }
        }

        private String string() {
            StringBuilder value = new StringBuilder();
            at++;
            while (true) {
                char c = text.charAt(at++);
                if (c == '"') {
                    return value.toString();
                }
                if (c < 0x20) {
                    throw new IllegalArgumentException("unescaped control character");
                }
                if (c != '\\') {
                    value.append(c);
                    continue;
                }
                char escape = text.charAt(at++);
                switch (escape) {
                    case '"', '\\', '/' -> value.append(escape);
                    case 'b' -> value.append('\b');
                    case 'f' -> value.append('\f');
                    case 'n' -> value.append('\n');
                    case 'r' -> value.append('\r');
                    case 't' -> value.append('\t');
                    case 'u' -> {
                        String hex = text.substring(at, at + 4);
                        if (!hex.matches("[0-9a-fA-F]{4}")) {
                            throw new IllegalArgumentException("bad \\u escape");
                        }
                        value.append((char) Integer.parseInt(hex, 16));
                        at += 4;
                    }
                    default -> throw new IllegalArgumentException("bad escape");
                }
            }
        }

        private Object number() {
            int start = at;
            if (peek('-')) {
                at++;
            }
            if (peek('0')) {
                at++;
            } else {
                digits();
            }
            if (peek('.')) {
                at++;
                digits();
            }
            if (peek('e') || peek('E')) {
                at++;
                if (peek('+') || peek('-')) {
                    at++;
                }
                digits();
            }
            return new BigDecimal(text.substring(start, at));
        }

        private void digits() {
            int start = at;
            while (at < text.length() && text.charAt(at) >= '0' && text.charAt(at) <= '9') {
                at++;
            }
            if (at == start) {
                throw new IllegalArgumentException("digit expected");
            }
        }

        private void literal(String word) {
            if (!text.startsWith(word, at)) {
                throw new IllegalArgumentException(word + " expected");
            }
            at += word.length();
        }

        private void expect(char c) {
            if (text.charAt(at++) != c) {
                throw new IllegalArgumentException(c + " expected");
            }
        }

        private boolean peek(char c) {
            return at < text.length() && text.charAt(at) == c;
        }

        private void whitespace() {
            while (at < text.length() && " \t\n\r".indexOf(text.charAt(at)) >= 0) {
                at++;
            }
        }
    }

    @Test
    void oracleAcceptsJsonAndRejectsEverythingElse() {
        assertTrue(StrictJson.parseOrNull(utf8(" {\"a\": [1, -0.5e+3, true, null, \"\\u00e9\\n\"]}\n")) instanceof Map);
        assertTrue(StrictJson.parseOrNull(utf8("[]")) instanceof List);
        assertTrue(StrictJson.parseOrNull(utf8("\"s\"")) instanceof String);
        assertTrue(StrictJson.parseOrNull(utf8("{\"suppress_notification\": false, \"suppress_notification\": true}"))
                instanceof Map<?, ?> map && Boolean.TRUE.equals(map.get("suppress_notification")));
        for (String bad : new String[] {"", " ", "{", "{} x", "{,}", "{\"a\":}", "{\"a\" 1}", "{'a': 1}", "[1,]",
            "01", "1.", ".5", "-", "NaN", "tru", "\"\t\"", "\"\\x\"", "\"\\u12g4\"", "\ufeff{}", "{}\u0000"}) {
            assertTrue(StrictJson.parseOrNull(utf8(bad)) == null, bad);
        }
    }
}
