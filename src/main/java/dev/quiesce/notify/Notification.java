package dev.quiesce.notify;

/**
 * One message to a chat channel.
 *
 * @param kind a per-session interrupt ping or the home-channel broadcast
 * @param channel where it goes
 * @param sessionId the interrupted session; empty for the home broadcast
 * @param text the message (Slack-compatible {@code text})
 */
public record Notification(Kind kind, String channel, String sessionId, String text) {

    /** The kinds of notification, with their wire names. */
    public enum Kind {
        SESSION_INTERRUPTED("session_interrupted"),
        HOME_SHUTDOWN("home_shutdown");

        private final String wireName;

        Kind(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }
    }
}
