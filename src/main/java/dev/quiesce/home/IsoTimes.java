package dev.quiesce.home;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * The marker's timestamp format: UTC ISO-8601 with microseconds and an explicit {@code +00:00}
 * offset, exactly what Python's {@code datetime.now(timezone.utc).isoformat()} writes and what
 * {@code datetime.fromisoformat} reads back. Stateless and thread-safe.
 */
public final class IsoTimes {

    private static final DateTimeFormatter WRITE =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSxxx").withZone(ZoneOffset.UTC);

    private IsoTimes() {}

    /** Formats {@code instant} as the reference does, e.g. {@code 2026-06-26T07:47:19.123456+00:00}. */
    public static String format(Instant instant) {
        return WRITE.format(instant);
    }

    /**
     * Parses an ISO-8601 timestamp with an offset ({@code +00:00}, {@code Z}, any other), or without
     * one (read as UTC, as a naive Python timestamp is). Returns {@code null} for anything else;
     * never throws.
     */
    public static Instant parse(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        String trimmed = text.trim();
        try {
            return OffsetDateTime.parse(trimmed, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
        } catch (DateTimeParseException withOffset) {
            try {
                return LocalDateTime.parse(trimmed, DateTimeFormatter.ISO_LOCAL_DATE_TIME)
                        .toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException naive) {
                return null;
            }
        }
    }
}
