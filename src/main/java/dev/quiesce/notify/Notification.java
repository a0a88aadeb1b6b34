package dev.quiesce.notify;

/**
 * One message to a chat channel.
 *
 * @param kind a per-session interrupt ping, the home-channel broadcast, or an inbox delivery
 * @param channel where it goes
 * @param sessionId the session concerned; empty for the home broadcast
 * @param text the message (Slack-compatible {@code text}). For {@link Kind#DEFERRED_REPLY} it is the
 *     agent's answer to a user: user data, never logged
 * @param messageId for the inbox's kinds: the platform's id of the message answered; empty otherwise
 * @param deferredId for the inbox's kinds: the saved entry's id (the same on a rerun); empty otherwise
 */
public record Notification(Kind kind, String channel, String sessionId, String text, String messageId,
        String deferredId) {

    /** A notification about no saved message. */
    public Notification(Kind kind, String channel, String sessionId, String text) {
        this(kind, channel, sessionId, text, "", "");
    }

    /** True for the kinds whose text is a user's data (an agent's answer to them). */
    public boolean carriesUserData() {
        return kind == Kind.DEFERRED_REPLY;
    }

    /** The kinds of notification, with their wire names. */
    public enum Kind {
        SESSION_INTERRUPTED("session_interrupted"),
        HOME_SHUTDOWN("home_shutdown"),
        /** The answer to a saved message, run after the pause it arrived in (SPEC §9). */
        DEFERRED_REPLY("deferred_reply"),
        /** A saved message was too old to run: it was dropped, and its chat is told so. */
        DEFERRED_EXPIRED("deferred_expired");

        private final String wireName;

        Kind(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }
    }
}
