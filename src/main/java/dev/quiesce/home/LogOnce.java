package dev.quiesce.home;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Remembers the cause of a recurring condition (a file that cannot be written, a watch that died,
 * a marker judged the same way on every tick) so it is logged once per distinct cause, not once per
 * attempt, and its end is logged once too. The caller logs; this only says when.
 *
 * <p>A cause is any value with a meaningful {@code equals} (a string, a record). Thread-safe and
 * lock-free: of two threads reporting the same new cause at once, exactly one is told to log it.
 *
 * @param <C> the type of a cause
 */
public final class LogOnce<C> {

    private final AtomicReference<C> last = new AtomicReference<>();

    /** A tracker with no condition in force. */
    public static <C> LogOnce<C> tracker() {
        return new LogOnce<>();
    }

    /**
     * Records {@code cause} as the condition in force.
     *
     * @return true if it differs from the one recorded before (log it), false if it is the same
     */
    public boolean isNew(C cause) {
        Objects.requireNonNull(cause, "cause");
        C before = last.getAndSet(cause);
        return !cause.equals(before);
    }

    /**
     * The condition is over.
     *
     * @return true if one was in force (log that it ended), false if none was
     */
    public boolean clear() {
        return last.getAndSet(null) != null;
    }

    /** The condition in force, or null when there is none. */
    public C current() {
        return last.get();
    }
}
