package dev.quiesce.pipeline;

/**
 * A message as it arrives, before validation. The API layers build it from gRPC or JSON.
 *
 * @param sessionId the conversation
 * @param channel where the session lives
 * @param text what the user said
 * @param internal a system event; may start while draining
 * @param messageId the platform's message id
 * @param whenPaused what to do with it if the gateway cannot start it now
 */
public record InboundMessage(String sessionId, String channel, String text, boolean internal, String messageId,
        WhenPaused whenPaused) {

    /** What to do with a message the gateway cannot start now (draining, stopping). */
    public enum WhenPaused {
        /** As {@code quiesce.inbox.mode} says. */
        AS_CONFIGURED,
        /** Keep it and answer later. */
        DEFER,
        /** Refuse it; the platform redelivers. */
        REFUSE
    }

    /** A message that leaves the pause to the configuration. */
    public InboundMessage(String sessionId, String channel, String text, boolean internal, String messageId) {
        this(sessionId, channel, text, internal, messageId, WhenPaused.AS_CONFIGURED);
    }


    /** Longest accepted text, in UTF-8 bytes. */
    public static final int MAX_TEXT_BYTES = 64 * 1024;
    /** Longest accepted session id, channel and message id, in characters. */
    public static final int MAX_ID_LENGTH = 256;

    public InboundMessage {
        sessionId = sessionId == null ? "" : sessionId;
        channel = channel == null ? "" : channel;
        text = text == null ? "" : text;
        messageId = messageId == null ? "" : messageId;
        whenPaused = whenPaused == null ? WhenPaused.AS_CONFIGURED : whenPaused;
    }

    /**
     * Checks the message.
     *
     * @throws InvalidMessageException naming the first problem
     */
    public void validate() {
        if (sessionId.isBlank()) {
            throw new InvalidMessageException("session_id is required");
        }
        if (text.isEmpty()) {
            throw new InvalidMessageException("text is required");
        }
        checkLength("session_id", sessionId);
        checkLength("channel", channel);
        checkLength("message_id", messageId);
        int bytes = text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (bytes > MAX_TEXT_BYTES) {
            throw new InvalidMessageException("text is " + bytes + " bytes; at most " + MAX_TEXT_BYTES
                    + " (64 KiB) are accepted");
        }
    }

    private static void checkLength(String field, String value) {
        if (value.length() > MAX_ID_LENGTH) {
            throw new InvalidMessageException(field + " is " + value.length() + " characters; at most "
                    + MAX_ID_LENGTH + " are accepted");
        }
    }
}
