package dev.quiesce.inbox;

import java.time.Instant;
import java.util.Objects;

/**
 * One saved message. Immutable.
 *
 * @param seq arrival order in the store (entries of a session run in this order)
 * @param deferredId the id its sender was given (TurnResult.deferred_id); stable across reruns
 * @param kind why it was saved
 * @param sessionId the conversation
 * @param channel where its answer goes
 * @param messageId the platform's id; may be empty
 * @param internal a system event rather than a user message
 * @param text what the user said: user data, never logged
 * @param receivedAt when it arrived
 * @param attempts how many replays have started it
 */
public record InboxEntry(long seq, String deferredId, Kind kind, String sessionId, String channel, String messageId,
        boolean internal, String text, Instant receivedAt, int attempts) {

    public InboxEntry {
        Objects.requireNonNull(deferredId, "deferredId");
        Objects.requireNonNull(kind, "kind");
    }

    /** Why an entry was saved. */
    public enum Kind {
        /** It arrived while the gateway was paused (draining or stopping). */
        DEFERRED("deferred"),
        /** Its turn was running when a shutdown began, and it is to pick up again by itself. */
        RESUME("resume");

        private final String wireName;

        Kind(String wireName) {
            this.wireName = wireName;
        }

        /** As stored and shown: {@code deferred}, {@code resume}. */
        public String wireName() {
            return wireName;
        }

        static Kind of(String wireName) {
            for (Kind kind : values()) {
                if (kind.wireName.equals(wireName)) {
                    return kind;
                }
            }
            throw new IllegalArgumentException("no entry kind '" + wireName + "'");
        }
    }
}
