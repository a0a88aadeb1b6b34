package dev.quiesce.drain;

import java.time.Duration;

/**
 * A validated-at-the-boundary request to begin (or renew) a drain.
 *
 * @param principal who asks, from their token
 * @param reason free text, at most {@link DrainRules#MAX_REASON_LENGTH} characters
 * @param suppressNotification skip the home-channel broadcast on a shutdown during this drain
 * @param lease how long it holds; {@link Duration#ZERO} = the configured default
 */
public record BeginDrainCommand(String principal, String reason, boolean suppressNotification, Duration lease) {}
