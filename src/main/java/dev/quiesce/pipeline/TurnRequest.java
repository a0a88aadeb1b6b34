package dev.quiesce.pipeline;

/**
 * An admitted turn as a handler sees it.
 *
 * @param turnId unique within this process
 * @param sessionId the conversation
 * @param channel where the session lives; may be empty
 * @param text what the user said
 * @param internal a system event rather than a user message
 * @param messageId the platform's message id; may be empty
 * @param deferredId for a replay of a saved message: its id, the same on every rerun (a backend can
 *     de-duplicate by it); empty for a live message
 * @param resumed a turn a shutdown cut off, run again by itself after the restart (SPEC §10): the
 *     backend has seen this message before and may have done part of the work
 */
public record TurnRequest(String turnId, String sessionId, String channel, String text, boolean internal,
        String messageId, String deferredId, boolean resumed) {

    /** A live message's turn. */
    public TurnRequest(String turnId, String sessionId, String channel, String text, boolean internal,
            String messageId) {
        this(turnId, sessionId, channel, text, internal, messageId, "", false);
    }

    /** True for a saved message run later (SPEC §9 replay). */
    public boolean replay() {
        return !deferredId.isEmpty();
    }
}
