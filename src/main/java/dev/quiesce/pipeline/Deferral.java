package dev.quiesce.pipeline;

import io.smallrye.mutiny.Uni;

/**
 * Where a message goes that the gateway cannot start now: the inbox (SPEC §9) keeps it and answers
 * it later. The pipeline asks before it refuses; without an inbox ({@link #NONE}) every such
 * message is refused as it always was. Implementations are thread-safe; {@link #holdsBacklog} and
 * {@link #accepts} answer from memory, on the caller's thread (an event loop).
 */
public interface Deferral {

    /** No inbox: nothing is kept. */
    Deferral NONE = new Deferral() {
        @Override
        public boolean holdsBacklog(String sessionId) {
            return false;
        }

        @Override
        public boolean accepts(InboundMessage message) {
            return false;
        }

        @Override
        public Uni<Deposit> save(InboundMessage message) {
            return Uni.createFrom().item(new Deposit.NotSaved("there is no inbox"));
        }
    };

    /**
     * True while {@code sessionId} has saved messages not yet answered (or being saved): a new message
     * of that session goes behind them, even while the gateway runs, so it never overtakes them.
     */
    boolean holdsBacklog(String sessionId);

    /**
     * Whether {@code message} (refused by the gate for a pause, or behind its session's backlog) is to be
     * kept: it has a channel, the mode or its {@code when_paused} says defer, and the inbox can be used
     * now. The caller refuses it otherwise.
     */
    boolean accepts(InboundMessage message);

    /**
     * Saves {@code message}. The Uni completes once the entry is committed to disk (never before: the
     * sender is told "saved" only then), with {@link Deposit.Saved}; or with {@link Deposit.NotSaved}
     * when it could not be stored (full, the store failing) — the caller then refuses as before. The
     * Uni never fails.
     */
    Uni<Deposit> save(InboundMessage message);

    /** What {@link #save} did. */
    sealed interface Deposit {
        /**
         * Committed (or a duplicate of one saved before: then its id).
         *
         * @param deferredId the entry's id
         */
        record Saved(String deferredId) implements Deposit {}

        /**
         * Not stored; the message is to be refused.
         *
         * @param why for the log (not for the user)
         */
        record NotSaved(String why) implements Deposit {}
    }
}
