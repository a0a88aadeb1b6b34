package dev.quiesce.config;

import java.time.Duration;
import java.util.Locale;

/**
 * Durations as the configuration may spell them ({@code 1s}, {@code 5m}, {@code 1h30m}, {@code -5s}),
 * not as {@link Duration#toString()} does ({@code PT1H30M}), for texts that quote a configured
 * value: a start refused for a bad setting, a turn that timed out. Stateless and thread-safe.
 */
public final class Durations {

    private Durations() {}

    /** {@code duration} in the config's spelling: {@code 0s}, {@code 0.25s}, {@code 1m30s}, {@code -5s}. */
    public static String readable(Duration duration) {
        return duration.toString().substring(2).toLowerCase(Locale.ROOT);
    }
}
