package dev.quiesce.config;

import io.quarkus.runtime.configuration.DurationConverter;
import java.time.Duration;
import java.util.Locale;
import org.eclipse.microprofile.config.spi.Converter;

/**
 * The converters that refuse a single {@code quiesce.*} value that cannot work, named on each
 * {@link QuiesceConfig} method with {@code @WithConverter}. SmallRye Config runs them while it reads
 * the configuration, before any bean exists, and fails the start with "Configuration validation
 * failed", one line per bad value, each naming the property and the value; the message of a converter
 * says what is needed. Relations between two values are {@link QuiesceConfigCheck}'s.
 *
 * <p>Durations are read as Quarkus reads them ({@link DurationConverter}: {@code 30s}, {@code 500ms},
 * {@code 1h}, {@code PT1M}, a bare number of seconds). Stateless and thread-safe.
 */
public final class ConfigConverters {

    private ConfigConverters() {}

    /** A duration longer than 0s. */
    public static final class Positive implements Converter<Duration> {
        @Override
        public Duration convert(String value) {
            Duration duration = duration(value);
            if (duration != null && (duration.isNegative() || duration.isZero())) {
                throw refused("a duration longer than 0s is needed, such as 30s or 1h");
            }
            return duration;
        }
    }

    /** A duration of 0s or longer, for the settings where 0 means "at once" or "never wait". */
    public static final class ZeroOrLonger implements Converter<Duration> {
        @Override
        public Duration convert(String value) {
            Duration duration = duration(value);
            if (duration != null && duration.isNegative()) {
                throw refused("a duration of 0s or longer is needed, such as 0s or 30s");
            }
            return duration;
        }
    }

    /**
     * The text of a schedule the Quarkus scheduler reads itself ({@code @Scheduled(every = "{…}")}),
     * returned as it is, once it is a duration longer than 0s. Checked here because the scheduler
     * would take {@code off} or {@code disabled} for "never run" and a negative value for its absolute
     * value, and a schedule of Quiesce must run.
     */
    public static final class Schedule implements Converter<String> {
        @Override
        public String convert(String value) {
            String lower = value.strip().toLowerCase(Locale.ROOT);
            if (lower.equals("off") || lower.equals("disabled")) {
                throw refused("this schedule cannot be turned off; a duration longer than 0s is needed, such as 1s");
            }
            new Positive().convert(value);
            return value;
        }
    }

    /** A count of at least 1. */
    public static final class AtLeastOne implements Converter<Integer> {
        @Override
        public Integer convert(String value) {
            int count;
            try {
                count = Integer.parseInt(value.strip());
            } catch (NumberFormatException e) {
                throw refused("a whole number of at least 1 is needed");
            }
            if (count < 1) {
                throw refused("at least 1 is needed");
            }
            return count;
        }
    }

    private static Duration duration(String value) {
        try {
            return DurationConverter.parseDuration(value);
        } catch (IllegalArgumentException e) {
            throw refused("not a duration; write it as 30s, 500ms, 10m or 1h");
        }
    }

    /** SmallRye puts the message after "The config property … with the config value … threw … converted". */
    private static IllegalArgumentException refused(String what) {
        return new IllegalArgumentException("(" + what + ")");
    }
}
