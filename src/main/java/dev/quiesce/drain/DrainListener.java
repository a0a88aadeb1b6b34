package dev.quiesce.drain;

/**
 * Told about every state change and audited event. Implementations are CDI beans; the state bean
 * finds them all at startup.
 *
 * <p>Called after the state lock is released, in version order for snapshots (a listener may see
 * a version skipped when changes race, never an older one after a newer one). Must be quick and
 * must not call back into a transition; exceptions are caught and logged.
 */
public interface DrainListener {

    /**
     * A new version of the state: any change but a turn's start or end alone, and also those that
     * change {@code drained}.
     */
    default void onChange(DrainSnapshot snapshot) {}

    /**
     * A turn started or ended. Called on the admitting or releasing thread, concurrently with other
     * turns' changes and not in version order, without a snapshot: must be cheap and thread-safe.
     */
    default void onTurn(TurnChange change) {}

    /** An audited event (begin, renew, cancel, expiry, shutdown). */
    default void onEvent(DrainEvent event) {}

    /** A drain call the state bean refused; nothing changed, so it is no event and no new version. */
    default void onRefusal(DrainRefusal refusal) {}
}
