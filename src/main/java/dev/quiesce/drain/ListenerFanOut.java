package dev.quiesce.drain;

import io.quarkus.logging.Log;
import java.util.List;
import java.util.function.Consumer;

/**
 * Hands each new state version, each audited event and each refused call to every
 * {@link DrainListener}, after the state lock is released. Versions arrive in order: when two
 * changes race, a listener may miss the older one, never see it after the newer (the newer
 * contains it). A listener that throws is logged and the others are still told. Thread-safe.
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
        if (snapshot == null || listeners.isEmpty()) {
            return;
        }
        synchronized (publishLock) {
            if (snapshot.version() <= lastPublished) {
                return;
            }
            lastPublished = snapshot.version();
            tellEach(listener -> listener.onChange(snapshot), "version " + snapshot.version());
        }
    }

    /** Tells every listener about a turn's start or end, on the caller's thread, without a lock. */
    void turn(TurnChange change) {
        for (DrainListener listener : listeners) {
            try {
                listener.onTurn(change);
            } catch (RuntimeException e) {
                Log.errorf(e, "Drain listener %s failed on turn %s", listener.getClass().getName(),
                        change.turn().turnId());
            }
        }
    }

    /** Tells every listener about {@code event}. Null is a no-op. */
    void emit(DrainEvent event) {
        if (event != null) {
            tellEach(listener -> listener.onEvent(event), "event " + event.kind());
        }
    }

    /** Tells every listener about {@code refusal}. */
    void refused(DrainRefusal refusal) {
        tellEach(listener -> listener.onRefusal(refusal), "the refusal of a " + refusal.call());
    }

    private void tellEach(Consumer<DrainListener> told, String what) {
        for (DrainListener listener : listeners) {
            try {
                told.accept(listener);
            } catch (RuntimeException e) {
                Log.errorf(e, "Drain listener %s failed on %s", listener.getClass().getName(), what);
            }
        }
    }
}
