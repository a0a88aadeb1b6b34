package dev.quiesce.notify;

/**
 * What a shutdown's notifications did, for the audit log.
 *
 * @param sessionPingsSent interrupt pings delivered
 * @param sessionPingsFailed interrupt pings that were not delivered (or had no channel)
 * @param home what happened to the home broadcast
 * @param homeDetail why, in a sentence
 */
public record NotifyReport(int sessionPingsSent, int sessionPingsFailed, HomeBroadcast home, String homeDetail) {

    /** The fate of the home-channel broadcast. */
    public enum HomeBroadcast {
        /** Delivered. */
        SENT,
        /** An active, current-epoch marker asked for quiet ({@code suppress_notification=true}). */
        SUPPRESSED,
        /** One was already sent within {@code quiesce.notify.home-min-interval}. */
        DEDUPLICATED,
        /** No home channel is configured. */
        NO_CHANNEL,
        /** It was not delivered; the detail says what stopped it (its attempts failed, or the deadline came). */
        FAILED
    }
}
