package dev.quiesce.home;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Lets one report of each cause through per interval and counts the others, for conditions a
 * caller can repeat at any rate (an anonymous client sending the same bad request in a loop): the
 * log, or an audit file, gets one line per cause per interval whatever the rate, and that line
 * says how many were held back since the one before. {@link LogOnce} is for a condition that is
 * in force until it ends; this is for events that keep arriving.
 *
 * <p>A cause is any value with a meaningful {@code equals}. The caller must keep the set of causes
 * bounded (a kind of failure, a method name, a principal from the tokens file; never a value taken
 * from the request), because every cause seen is remembered. Thread-safe and lock-free per cause:
 * of several threads reporting the same cause at once, exactly one is let through per interval.
 *
 * @param <C> the type of a cause
 */
public final class OncePerInterval<C> {

    private final Duration interval;
    private final Clock clock;
    private final ConcurrentMap<C, Window> windows = new ConcurrentHashMap<>();

    private OncePerInterval(Duration interval, Clock clock) {
        this.interval = Objects.requireNonNull(interval, "interval");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** A limiter letting one report per cause through every {@code interval}, timed by {@code clock}. */
    public static <C> OncePerInterval<C> every(Duration interval, Clock clock) {
        return new OncePerInterval<>(interval, clock);
    }

    /**
     * Records one occurrence of {@code cause}.
     *
     * @return empty when it is held back (one of this cause was let through less than an interval
     *     ago); otherwise report it now, and the value is how many of this cause were held back
     *     since the previous one let through (0 for the first)
     */
    public OptionalLong admit(C cause) {
        Objects.requireNonNull(cause, "cause");
        Instant now = clock.instant();
        long[] admittedAfter = {-1};
        windows.compute(cause, (key, window) -> {
            if (window != null && now.isBefore(window.opened().plus(interval))) {
                return new Window(window.opened(), window.heldBack() + 1);
            }
            admittedAfter[0] = window == null ? 0 : window.heldBack();
            return new Window(now, 0);
        });
        return admittedAfter[0] < 0 ? OptionalLong.empty() : OptionalLong.of(admittedAfter[0]);
    }

    /**
     * The end of a log line let through with {@code heldBack} (what {@link #admit} returned), for a
     * reader who sees one line where there were many: {@code more like it within 1 min are counted,
     * not logged} for the first, else {@code 37 more like it since the last such line were not logged}.
     */
    public String heldBackNote(long heldBack) {
        return heldBack == 0 ? "more like it within " + interval.toMinutes() + " min are counted, not logged"
                : heldBack + " more like it since the last such line were not logged";
    }

    /**
     * Takes the counts of the occurrences held back since the last one let through, per cause that
     * has any, and starts each count again at 0: for a summary at the end (a shutdown), so that no
     * held-back occurrence goes unreported. The intervals run on.
     */
    public Map<C, Long> drainHeldBack() {
        Map<C, Long> taken = new HashMap<>();
        for (C cause : windows.keySet()) {
            windows.computeIfPresent(cause, (key, window) -> {
                if (window.heldBack() > 0) {
                    taken.put(key, window.heldBack());
                }
                return new Window(window.opened(), 0);
            });
        }
        return taken;
    }

    /**
     * One cause's interval.
     *
     * @param opened when the occurrence that opened it was let through
     * @param heldBack the occurrences held back since then
     */
    private record Window(Instant opened, long heldBack) {}
}
