package dev.quiesce.drain;

import java.time.Instant;

/**
 * What the inbox holds, as part of the drain state (SPEC §9: {@code DrainState.inbox}). The inbox
 * reports it to the state bean when it changes; waiting entries do not hold a drain. Immutable.
 *
 * @param waiting entries waiting
 * @param oldestReceivedAt when the oldest arrived; null when none waits
 * @param replaying true while entries are being replayed
 * @param error why the inbox cannot be used (messages are refused as before meanwhile); empty when it works
 */
public record InboxSummary(int waiting, Instant oldestReceivedAt, boolean replaying, String error) {

    /** Before the inbox has said anything, and for a gateway without one. */
    public static final InboxSummary EMPTY = new InboxSummary(0, null, false, "");

    public InboxSummary {
        error = error == null ? "" : error;
    }
}
