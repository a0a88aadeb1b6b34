package dev.quiesce.pipeline;

import java.time.Instant;

/**
 * One admitted, running turn.
 *
 * @param turnId unique within this process
 * @param sessionId the conversation; at most one turn per session runs at a time
 * @param channel where the session's messages come from (for interrupt pings); may be empty
 * @param startedAt when it was admitted
 * @param internal a system turn, which may start while draining
 * @param admittedVersion the state version it was admitted under (phase RUNNING, or DRAINING for
 *     internal turns): the proof that no user turn starts under a draining version
 */
public record TurnInfo(
        String turnId, String sessionId, String channel, Instant startedAt, boolean internal, long admittedVersion) {}
