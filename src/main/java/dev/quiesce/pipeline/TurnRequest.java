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
 */
public record TurnRequest(String turnId, String sessionId, String channel, String text, boolean internal,
        String messageId) {}
