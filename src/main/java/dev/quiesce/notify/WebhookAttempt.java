package dev.quiesce.notify;

/**
 * What one webhook attempt found (or why it was not made), and what a notification's attempts add
 * up to ({@link #summary}). Immutable.
 *
 * @param number which attempt (1 for the first); for {@link Result#NO_TIME_LEFT}, the one not made
 * @param result how it ended
 * @param problem why it did not deliver, in words (no Java type, no URL); empty when it did
 * @param exception what was thrown, for the log only; null when nothing was
 */
record WebhookAttempt(int number, Result result, String problem, Throwable exception) {

    /** How an attempt ended. */
    enum Result {
        /** The webhook answered 2xx. */
        DELIVERED,
        /** It failed for a reason of its own (an answer, a refused connection, its own timeout). */
        FAILED,
        /** It was bounded by the deadline rather than its own timeout, and ran out of that time. */
        CUT_BY_DEADLINE,
        /** Not made: the deadline had passed. */
        NO_TIME_LEFT,
        /** The sending thread was interrupted. */
        INTERRUPTED
    }

    static WebhookAttempt delivered(int number) {
        return new WebhookAttempt(number, Result.DELIVERED, "", null);
    }

    boolean delivered() {
        return result == Result.DELIVERED;
    }

    /** No further attempt makes sense: the deadline has passed, or the thread was interrupted. */
    boolean giveUp() {
        return result == Result.NO_TIME_LEFT || result == Result.INTERRUPTED;
    }

    /**
     * What a notification's attempts add up to. The deadline stopped it when the last attempt made was
     * cut short by it, or when attempts were left: the retries' max duration (the time left) ended
     * them, or the next attempt found no time. Otherwise the attempts ran out, each failing for its own
     * reason, and the deadline is not mentioned.
     *
     * @param last what the retries ended with
     * @param lastMade the last attempt actually made; null when none was
     * @param allowed how many attempts were allowed
     */
    static Delivery summary(WebhookAttempt last, WebhookAttempt lastMade, int allowed) {
        if (last.delivered()) {
            return Delivery.DELIVERED;
        }
        if (lastMade == null) {
            return Delivery.stoppedByDeadline("no attempt was made: the deadline had passed");
        }
        int made = lastMade.number();
        String attempts = made + (made == 1 ? " attempt" : " attempts");
        if (lastMade.result() == Result.INTERRUPTED) {
            return Delivery.failed("interrupted during attempt " + made);
        }
        if (lastMade.result() == Result.CUT_BY_DEADLINE || made < allowed) {
            return Delivery.stoppedByDeadline(attempts + " made, the last: " + lastMade.problem());
        }
        return Delivery.failed(attempts + " failed: " + lastMade.problem());
    }
}
