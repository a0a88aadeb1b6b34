package dev.quiesce.lifecycle;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quiesce.api.v1.InboxEntry;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the inbox crash test's client sent and what it was told, message by message, and the checks
 * of what the gateway holds (ListInbox) and delivered (the webhook's {@code deferred_reply}s) against
 * it. Only a message answered DEFERRED carries a promise; one whose call a kill cut off is in doubt
 * (it may or may not have been stored) and must be delivered whole or not at all. A message is
 * recognised on the webhook by its deferred_id, or, in doubt, by its message_id. Texts are compared,
 * never printed. Thread-safe: the sender threads add and answer messages, the test checks between
 * lives, when no sender runs.
 */
final class InboxLedger {

    static final String CHANNEL_PREFIX = "#crash-";

    /** How a message's call ended. */
    enum Answer {
        /** Sent, no answer yet. */
        PENDING,
        /** Saved: the client holds a deferred_id. */
        DEFERRED,
        /** Run at once (no backlog, gateway running); answered directly, never on the webhook. */
        COMPLETED,
        /** The call failed because of a kill: stored or not, nobody knows. */
        IN_DOUBT
    }

    /** One message. The mutable fields are written by its sender thread before the test reads them. */
    static final class Sent {
        final String session;
        final int seq;
        final String messageId;
        final String text;
        final int life;
        volatile Answer answer = Answer.PENDING;
        /** Given with DEFERRED, or learned from the listing or webhook for one in doubt. */
        volatile String deferredId = "";
        volatile long answeredNanos;

        Sent(String session, int seq, String text, int life) {
            this.session = session;
            this.seq = seq;
            this.messageId = session + "/" + seq;
            this.text = text;
            this.life = life;
        }

        String channel() {
            return CHANNEL_PREFIX + session;
        }

        @Override
        public String toString() {
            return messageId + " (life " + life + ", " + answer + (deferredId.isEmpty() ? "" : " " + deferredId) + ")";
        }
    }

    private final List<Sent> sent = new CopyOnWriteArrayList<>();
    private final Map<String, Integer> nextSeq = new ConcurrentHashMap<>();
    private final Map<String, Sent> byMessageId = new ConcurrentHashMap<>();
    private final Map<String, Sent> byDeferredId = new ConcurrentHashMap<>();
    private final AtomicLong answered = new AtomicLong();

    /** A new message of {@code session}: the session's next sequence number, a unique message id. */
    Sent next(String session, int life, String text) {
        Sent message = new Sent(session, nextSeq.merge(session, 1, Integer::sum), text, life);
        sent.add(message);
        byMessageId.put(message.messageId, message);
        return message;
    }

    /** DEFERRED with {@code deferredId}. @return a problem, or null */
    String deferred(Sent message, String deferredId) {
        message.answeredNanos = System.nanoTime();
        message.deferredId = deferredId;
        message.answer = Answer.DEFERRED;
        answered.incrementAndGet();
        Sent earlier = deferredId.isEmpty() ? null : byDeferredId.putIfAbsent(deferredId, message);
        if (deferredId.isEmpty()) {
            return message + " was answered DEFERRED without a deferred_id";
        }
        return earlier == null ? null : "deferred_id " + deferredId + " was given to " + earlier + " and to " + message;
    }

    void completed(Sent message) {
        message.answeredNanos = System.nanoTime();
        message.answer = Answer.COMPLETED;
        answered.incrementAndGet();
    }

    /** Messages answered (DEFERRED or COMPLETED) so far. */
    long answered() {
        return answered.get();
    }

    void inDoubt(Sent message) {
        message.answer = Answer.IN_DOUBT;
    }

    long count(Answer answer) {
        return sent.stream().filter(s -> s.answer == answer).count();
    }

    int size() {
        return sent.size();
    }

    /** Deferred messages whose reply has not reached the webhook in {@code replies}. */
    long undelivered(List<WebhookRecorder.Arrival> replies) {
        Set<String> delivered = deliveredIds(replies);
        return sent.stream().filter(s -> s.answer == Answer.DEFERRED && !delivered.contains(s.deferredId)).count();
    }

    /**
     * After a restart: every entry {@code listed} is one the client sent (whole: its session, channel and
     * message id), and every deferred message is listed or already delivered. {@code replies} must be
     * read after the listing: an entry is deleted only after its delivery, so one missing from the
     * listing has then reached the webhook.
     *
     * @return what is wrong; empty when nothing is
     */
    List<String> checkHeld(List<InboxEntry> listed, List<WebhookRecorder.Arrival> replies) {
        List<String> problems = new ArrayList<>();
        Set<String> listedIds = new HashSet<>();
        for (InboxEntry entry : listed) {
            if (!listedIds.add(entry.getDeferredId())) {
                problems.add("entry " + entry.getDeferredId() + " is listed twice");
            }
            Sent message = identify(entry.getDeferredId(), entry.getMessageId(), problems);
            if (message == null) {
                problems.add("listed entry " + entry.getDeferredId() + " (message " + entry.getMessageId()
                        + ") is none the client was told of or left in doubt");
            } else if (!entry.getSessionId().equals(message.session) || !entry.getChannel().equals(message.channel())
                    || !entry.getKind().equals("deferred")) {
                problems.add("listed entry " + entry.getDeferredId() + " is not whole: session " + entry.getSessionId()
                        + ", channel " + entry.getChannel() + ", kind " + entry.getKind() + " for " + message);
            }
        }
        Set<String> delivered = deliveredIds(replies);
        for (Sent message : sent) {
            if (message.answer == Answer.DEFERRED && !listedIds.contains(message.deferredId)
                    && !delivered.contains(message.deferredId)) {
                problems.add("LOST: " + message + " is neither waiting nor delivered");
            }
        }
        return problems;
    }

    /** What the final check found. */
    record Verdict(long deliveredDeferred, long inDoubtDelivered, long inDoubtNotStored, long replies,
            long rerunIds, long rerunDeliveries, long lost, List<String> problems) {}

    /**
     * At the end, the inbox empty: every deferred message delivered at least once and whole, nothing
     * delivered that was not sent or was answered directly, the first arrivals of a session in the order
     * its messages were sent, and no message answered directly before an earlier one of its session was
     * delivered (a live message never overtakes).
     *
     * @param replies every {@code deferred_reply} in order of arrival
     */
    Verdict verdict(List<WebhookRecorder.Arrival> replies) {
        List<String> problems = new ArrayList<>();
        Map<Sent, Integer> firstArrival = new HashMap<>();
        Map<Sent, Integer> arrivals = new LinkedHashMap<>();
        for (int i = 0; i < replies.size(); i++) {
            JsonNode reply = replies.get(i).body();
            Sent message = identify(reply.path("deferred_id").asText(), reply.path("message_id").asText(), problems);
            if (message == null) {
                problems.add("a deferred_reply for " + reply.path("deferred_id").asText() + " (message "
                        + reply.path("message_id").asText() + ") answers nothing the client was told of or left in doubt");
                continue;
            }
            if (message.answer == Answer.COMPLETED) {
                problems.add(message + " was answered directly and delivered to the webhook as well");
            }
            if (!reply.path("session_id").asText().equals(message.session)
                    || !reply.path("channel").asText().equals(message.channel())
                    || !reply.path("message_id").asText().equals(message.messageId)
                    || !reply.path("text").asText().equals(message.text)) {
                problems.add("the deferred_reply for " + message + " is not whole (session, channel, message id or "
                        + "echoed text differ; the text is not shown)");
            }
            firstArrival.putIfAbsent(message, i);
            arrivals.merge(message, 1, Integer::sum);
        }
        long lost = 0;
        for (Sent message : sent) {
            if (message.answer == Answer.DEFERRED && !firstArrival.containsKey(message)) {
                lost++;
                problems.add("LOST: " + message + " never reached the webhook");
            }
        }
        checkOrder(firstArrival, replies, problems);
        long rerunIds = arrivals.values().stream().filter(n -> n > 1).count();
        long rerunDeliveries = arrivals.values().stream().mapToLong(n -> n - 1).sum();
        long inDoubtDelivered = firstArrival.keySet().stream().filter(s -> s.answer == Answer.IN_DOUBT).count();
        return new Verdict(firstArrival.size() - inDoubtDelivered, inDoubtDelivered,
                count(Answer.IN_DOUBT) - inDoubtDelivered, replies.size(), rerunIds, rerunDeliveries, lost,
                List.copyOf(problems));
    }

    /** Per session: first arrivals in send order; a directly answered message after every earlier one's arrival. */
    private void checkOrder(Map<Sent, Integer> firstArrival, List<WebhookRecorder.Arrival> replies,
            List<String> problems) {
        Map<String, List<Sent>> sessions = new LinkedHashMap<>();
        for (Sent message : sent) {
            sessions.computeIfAbsent(message.session, s -> new ArrayList<>()).add(message);
        }
        for (List<Sent> messages : sessions.values()) {
            messages.sort(Comparator.comparingInt(s -> s.seq));
            Sent previous = null;
            long lastDeliveredNanos = Long.MIN_VALUE;
            Sent lastDelivered = null;
            for (Sent message : messages) {
                Integer at = firstArrival.get(message);
                if (at != null) {
                    if (previous != null && firstArrival.get(previous) > at) {
                        problems.add("ORDER: " + message + " first arrived before " + previous);
                    }
                    previous = message;
                    lastDeliveredNanos = replies.get(at).atNanos();
                    lastDelivered = message;
                } else if (message.answer == Answer.COMPLETED && lastDelivered != null
                        && lastDeliveredNanos > message.answeredNanos) {
                    problems.add("OVERTAKEN: " + message + " was answered directly before the reply to the earlier "
                            + lastDelivered + " arrived");
                }
            }
        }
    }

    /**
     * The message an entry or reply belongs to: the deferred message with that id, or the message in
     * doubt with that message id (whose deferred_id is then learned, and must stay the same).
     */
    private Sent identify(String deferredId, String messageId, List<String> problems) {
        Sent message = byDeferredId.get(deferredId);
        if (message != null) {
            return message;
        }
        message = byMessageId.get(messageId);
        if (message == null || message.answer != Answer.IN_DOUBT) {
            return null;
        }
        if (message.deferredId.isEmpty()) {
            message.deferredId = deferredId;
        } else if (!message.deferredId.equals(deferredId)) {
            problems.add(message + " appears under a second deferred_id " + deferredId);
        }
        return message;
    }

    private static Set<String> deliveredIds(List<WebhookRecorder.Arrival> replies) {
        Set<String> ids = new HashSet<>();
        replies.forEach(r -> ids.add(r.body().path("deferred_id").asText()));
        return ids;
    }
}
