package dev.quiesce.notify;

/**
 * What became of one notification, for the operator (the shutdown summary, the log): delivered, or
 * not, and then what stopped it. "Before the deadline" is said only when the deadline is what stopped
 * it; a webhook that refused every attempt well inside the budget failed for its own reason.
 *
 * @param delivered the sink delivered it
 * @param byDeadline not delivered because time ran out: an attempt was cut short by the deadline, or
 *     attempts were left that the deadline did not leave room for
 * @param why what happened, e.g. {@code 3 attempts failed: could not connect (connection refused)};
 *     empty when delivered
 */
public record Delivery(boolean delivered, boolean byDeadline, String why) {

    /** Delivered. */
    public static final Delivery DELIVERED = new Delivery(true, false, "");

    /** Not delivered, for a reason of its own ({@code why}); the deadline did not stop it. */
    public static Delivery failed(String why) {
        return new Delivery(false, false, why);
    }

    /** Not delivered because the deadline came first; {@code why} says how far it got. */
    public static Delivery stoppedByDeadline(String why) {
        return new Delivery(false, true, why);
    }

    /**
     * The sentence for a report: {@code delivered <to>}, {@code not delivered <to>: <why>}, or
     * {@code not delivered <to> before the deadline (<why>)}.
     *
     * @param to where it was going, e.g. {@code to #ops}
     */
    public String describe(String to) {
        if (delivered) {
            return "delivered " + to;
        }
        return "not delivered " + to + (byDeadline ? " before the deadline (" + why + ")" : ": " + why);
    }
}
