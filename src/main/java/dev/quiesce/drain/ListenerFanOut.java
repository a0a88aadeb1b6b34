package dev.quiesce.drain;

import io.quarkus.logging.Log;
import java.util.List;

/**
 * Hands each new state version and each audited event to every {@link DrainListener}, after the state
 * lock is released. Versions arrive in order: when two changes race, a listener may miss the older
 * one, never see it after the newer (the newer contains it). A listener that throws is logged and
 * the others are still told. Thread-safe.
 */
final class ListenerFanOut {

    private final List<DrainListener> listeners;
    private final Object publishLock = new Object();
    /** Guarded by {@link #publishLock}: the newest version handed to the listeners. */
    private long lastPublished = -1;

    /**
     * @param listeners told in list order; the list is not copied, so its owner may fill it once,
     *     before the first publish (the CDI beans are resolved after construction)
     */
    ListenerFanOut(List<DrainListener> listeners) {
        this.listeners = listeners;
    }

    /** Tells every listener about {@code snapshot}, unless a newer one was told already. Null is a no-op. */
    void publish(DrainSnapshot snapshot) {
        if (snapshot == null) {
            return;
        }
        synchronized (publishLock) {
            if (snapshot.version() <= lastPublished) {
                return;
            }
            lastPublished = snapshot.version();
            for (DrainListener listener : listeners) {
                try {
                    listener.onChange(snapshot);
                } catch (RuntimeException e) {
                    Log.errorf(e, "Drain listener %s failed on version %d", listener.getClass().getName(),
                            snapshot.version());
                }
            }
        }
    }

    /** Tells every listener about {@code event}. Null is a no-op. */
    void emit(DrainEvent event) {
        if (event == null) {
            return;
        }
        for (DrainListener listener : listeners) {
            try {
                listener.onEvent(event);
            } catch (RuntimeException e) {
                Log.errorf(e, "Drain listener %s failed on event %s", listener.getClass().getName(), event.kind());
            }
        }
    }
}
