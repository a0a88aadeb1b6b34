package dev.quiesce.home;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class IsoTimesTest {

    /** What Python's {@code datetime.now(timezone.utc).isoformat()} writes. */
    public static final Pattern REFERENCE_TIMESTAMP =
            Pattern.compile("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}\\+00:00$");

    @Test
    void formatWritesMicrosecondsAndAnExplicitUtcOffset() {
        assertEquals("2026-06-26T07:47:19.123456+00:00",
                IsoTimes.format(Instant.parse("2026-06-26T07:47:19.123456Z")));
    }

    @Test
    void formatTruncatesNanosecondsToMicroseconds() {
        assertEquals("2026-06-26T07:47:19.123456+00:00",
                IsoTimes.format(Instant.parse("2026-06-26T07:47:19.123456999Z")));
    }

    @Test
    void formatWritesAllSixFractionDigitsOfAWholeSecond() {
        assertEquals("2026-01-02T03:04:05.000000+00:00", IsoTimes.format(Instant.parse("2026-01-02T03:04:05Z")));
    }

    @Test
    void formatAlwaysMatchesTheReferencePattern() {
        Random random = new Random(20260626L);
        for (int i = 0; i < 1_000; i++) {
            // 1970 .. 2200, any nanosecond
            Instant instant = Instant.ofEpochSecond(random.nextInt(Integer.MAX_VALUE) * 3L, random.nextInt(1_000_000_000));
            String text = IsoTimes.format(instant);
            assertTrue(REFERENCE_TIMESTAMP.matcher(text).matches(), text);
            assertEquals(instant.truncatedTo(ChronoUnit.MICROS), IsoTimes.parse(text), text);
        }
    }

    @Test
    void parseReadsTheReferenceFormat() {
        assertEquals(Instant.parse("2026-06-26T07:47:19.123456Z"), IsoTimes.parse("2026-06-26T07:47:19.123456+00:00"));
    }

    @Test
    void parseReadsPythonIsoformatOfAWholeSecondWhichHasNoFraction() {
        assertEquals(Instant.parse("2026-06-26T07:47:19Z"), IsoTimes.parse("2026-06-26T07:47:19+00:00"));
    }

    @Test
    void parseHonoursZuluAndOtherOffsets() {
        Instant expected = Instant.parse("2026-06-26T07:47:19.5Z");
        assertEquals(expected, IsoTimes.parse("2026-06-26T07:47:19.5Z"));
        assertEquals(expected, IsoTimes.parse("2026-06-26T09:47:19.5+02:00"));
        assertEquals(expected, IsoTimes.parse("2026-06-26T02:17:19.5-05:30"));
    }

    @Test
    void parseReadsANaiveTimestampAsUtc() {
        assertEquals(Instant.parse("2026-06-26T07:47:19.123456Z"), IsoTimes.parse("2026-06-26T07:47:19.123456"));
    }

    @Test
    void parseIgnoresSurroundingWhitespace() {
        assertEquals(Instant.parse("2026-06-26T07:47:19Z"), IsoTimes.parse(" 2026-06-26T07:47:19+00:00\n"));
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"", "   ", "yesterday", "1782460039", "2026-06-26", "07:47:19", "2026-13-01T00:00:00+00:00",
        "2026-02-30T00:00:00+00:00", "2026-06-26T25:00:00+00:00", "2026-06-26T07:47:19+25:00",
        "2026-06-26T07:47:19.123456+00:00 trailing"})
    void parseReturnsNullForAnythingElse(String text) {
        assertNull(IsoTimes.parse(text));
    }
}
