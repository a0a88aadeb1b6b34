package dev.quiesce.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quiesce.api.v1.InboxEntry;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The crash test's checks can fail: each kind of fault it looks for, fed to the ledger by hand. */
class InboxLedgerTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final InboxLedger ledger = new InboxLedger();
    private final List<WebhookRecorder.Arrival> replies = new ArrayList<>();

    @Test
    void deliveredInOrderAndWholeIsClean() {
        InboxLedger.Sent first = deferred("s0", "m-1");
        InboxLedger.Sent second = deferred("s0", "m-2");
        deliver(first);
        deliver(second);
        deliver(first); // a rerun

        InboxLedger.Verdict verdict = ledger.verdict(replies);

        assertThat(verdict.problems()).isEmpty();
        assertThat(verdict.lost()).isZero();
        assertThat(verdict.rerunIds()).isEqualTo(1);
        assertThat(verdict.rerunDeliveries()).isEqualTo(1);
    }

    @Test
    void aDeferredMessageThatNeverArrivesIsLost() {
        deliver(deferred("s0", "m-1"));
        deferred("s0", "m-2");

        InboxLedger.Verdict verdict = ledger.verdict(replies);

        assertThat(verdict.lost()).isEqualTo(1);
        assertThat(verdict.problems()).singleElement().asString().startsWith("LOST");
    }

    @Test
    void aLaterMessageArrivingFirstBreaksTheSessionsOrder() {
        InboxLedger.Sent first = deferred("s0", "m-1");
        InboxLedger.Sent second = deferred("s0", "m-2");
        deliver(second);
        deliver(first);

        assertThat(ledger.verdict(replies).problems()).singleElement().asString().startsWith("ORDER");
    }

    @Test
    void aRerunOfAnEarlierMessageDoesNotCountAsDisorder() {
        InboxLedger.Sent first = deferred("s0", "m-1");
        InboxLedger.Sent second = deferred("s0", "m-2");
        deliver(first);
        deliver(second);
        deliver(first);

        assertThat(ledger.verdict(replies).problems()).isEmpty();
    }

    @Test
    void aMessageAnsweredDirectlyBeforeAnEarlierOneArrivedOvertookIt() {
        InboxLedger.Sent first = deferred("s0", "m-1");
        InboxLedger.Sent live = ledger.next("s0", 1, "later");
        ledger.completed(live);
        deliver(first);

        assertThat(ledger.verdict(replies).problems()).singleElement().asString().startsWith("OVERTAKEN");
    }

    @Test
    void aReplyWithAnotherTextIsNotWhole() {
        InboxLedger.Sent message = deferred("s0", "m-1");
        replies.add(new WebhookRecorder.Arrival(reply(message).put("text", "something else"), System.nanoTime()));

        assertThat(ledger.verdict(replies).problems()).singleElement().asString().contains("not whole");
    }

    @Test
    void aMessageInDoubtMayArriveOnceOrNotAtAllButNotUnderTwoIds() {
        InboxLedger.Sent kept = ledger.next("s0", 1, "kept");
        ledger.inDoubt(kept);
        InboxLedger.Sent dropped = ledger.next("s1", 1, "dropped");
        ledger.inDoubt(dropped);
        replies.add(new WebhookRecorder.Arrival(reply(kept).put("deferred_id", "m-a"), System.nanoTime()));

        InboxLedger.Verdict clean = ledger.verdict(replies);
        assertThat(clean.problems()).isEmpty();
        assertThat(clean.inDoubtDelivered()).isEqualTo(1);
        assertThat(clean.inDoubtNotStored()).isEqualTo(1);

        replies.add(new WebhookRecorder.Arrival(reply(kept).put("deferred_id", "m-b"), System.nanoTime()));
        assertThat(ledger.verdict(replies).problems()).singleElement().asString().contains("second deferred_id");
    }

    @Test
    void aReplyToNothingTheClientSentIsInvented() {
        InboxLedger.Sent message = deferred("s0", "m-1");
        deliver(message);
        replies.add(new WebhookRecorder.Arrival(reply(message).put("deferred_id", "m-x").put("message_id", "s9/1"),
                System.nanoTime()));

        assertThat(ledger.verdict(replies).problems()).singleElement().asString().contains("answers nothing");
    }

    @Test
    void aDeferredMessageNeitherListedNorDeliveredAfterARestartIsLost() {
        InboxLedger.Sent waiting = deferred("s0", "m-1");
        InboxLedger.Sent delivered = deferred("s0", "m-2");
        InboxLedger.Sent gone = deferred("s1", "m-3");
        deliver(delivered);

        List<String> problems = ledger.checkHeld(List.of(entry(waiting)), replies);

        assertThat(problems).singleElement().asString().startsWith("LOST").contains(gone.messageId);
    }

    @Test
    void aListedEntryOfAnotherSessionIsNotWhole() {
        InboxLedger.Sent message = deferred("s0", "m-1");

        List<String> problems = ledger.checkHeld(List.of(entry(message).toBuilder().setSessionId("s7").build()), replies);

        assertThat(problems).singleElement().asString().contains("not whole");
    }

    private InboxLedger.Sent deferred(String session, String deferredId) {
        InboxLedger.Sent message = ledger.next(session, 1, "text of " + deferredId);
        assertThat(ledger.deferred(message, deferredId)).isNull();
        return message;
    }

    private void deliver(InboxLedger.Sent message) {
        replies.add(new WebhookRecorder.Arrival(reply(message), System.nanoTime()));
    }

    private static ObjectNode reply(InboxLedger.Sent message) {
        return JSON.createObjectNode().put("kind", "deferred_reply").put("channel", message.channel())
                .put("session_id", message.session).put("text", message.text).put("message_id", message.messageId)
                .put("deferred_id", message.deferredId);
    }

    private static InboxEntry entry(InboxLedger.Sent message) {
        return InboxEntry.newBuilder().setDeferredId(message.deferredId).setSessionId(message.session)
                .setChannel(message.channel()).setMessageId(message.messageId).setKind("deferred").build();
    }
}
