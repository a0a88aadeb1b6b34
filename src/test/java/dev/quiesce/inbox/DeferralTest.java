package dev.quiesce.inbox;

import static dev.quiesce.testing.GatewayClient.message;
import static dev.quiesce.testing.GatewayClient.session;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quiesce.api.v1.InboundMessage;
import dev.quiesce.api.v1.ListInboxRequest;
import dev.quiesce.api.v1.ListInboxResponse;
import dev.quiesce.api.v1.TurnOutcome;
import dev.quiesce.api.v1.TurnResult;
import dev.quiesce.api.v1.WhenPaused;
import dev.quiesce.drain.BeginDrainCommand;
import dev.quiesce.drain.DrainStateBean;
import dev.quiesce.pipeline.MessagePipeline;
import dev.quiesce.testing.GatewayClient;
import dev.quiesce.testing.GrpcAuth;
import dev.quiesce.testing.LogRecorder;
import dev.quiesce.testing.TestHome;
import dev.quiesce.testing.TestTokens;
import io.grpc.Channel;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Messages that arrive during a drain, over a real gRPC channel, kept in a real inbox.db. */
@QuarkusTest
@WithTestResource(TestHome.class)
class DeferralTest {

    @GrpcClient("gateway")
    Channel channel;

    @Inject
    DrainStateBean state;

    @AfterEach
    void running() {
        state.cancelDrain("test", "");
    }

    private TurnResult send(InboundMessage message) {
        return new GatewayClient(channel).handle(TestTokens.INGESTER, message);
    }

    private static InboundMessage withChannel(String session, String text, String messageId) {
        return message(session, text).toBuilder().setChannel("slack:C1").setMessageId(messageId).build();
    }

    private void drain() {
        state.beginDrain(new BeginDrainCommand("test", "deferral test", false, Duration.ZERO));
    }

    @Test
    void aMessageDuringADrainIsSavedAndTheChatIsToldOnceNotOncePerMessage() {
        String chat = session("deferral");
        drain();

        TurnResult first = send(withChannel(chat, "one", "p-1"));
        TurnResult second = send(withChannel(chat, "two", "p-2"));

        assertThat(first.getOutcome()).isEqualTo(TurnOutcome.TURN_OUTCOME_DEFERRED);
        assertThat(first.getDeferredId()).startsWith("m-");
        assertThat(first.getReply()).isEqualTo(MessagePipeline.DEFERRED_DRAINING_REPLY);
        assertThat(second.getOutcome()).isEqualTo(TurnOutcome.TURN_OUTCOME_DEFERRED);
        assertThat(second.getDeferredId()).isNotEqualTo(first.getDeferredId());
        assertThat(second.getReply()).as("one notice per chat per pause").isEmpty();
        assertThat(state.current().inbox().waiting()).isGreaterThanOrEqualTo(2);
        assertThat(state.current().drained()).as("saved messages do not hold a drain").isTrue();

        ListInboxResponse listed = GrpcAuth.as(new GatewayClient(channel).control(), TestTokens.READER)
                .listInbox(ListInboxRequest.newBuilder().setPageSize(1000).build());
        assertThat(listed.getEntriesList()).filteredOn(e -> e.getSessionId().equals(chat))
                .extracting(e -> e.getDeferredId()).containsExactly(first.getDeferredId(), second.getDeferredId());
    }

    @Test
    void aRetryOfTheSameMessageIdIsAnsweredWithTheFirstIdAndStoredOnce() {
        String chat = session("retry");
        drain();

        TurnResult first = send(withChannel(chat, "hello", "slack-ts-1"));
        int waiting = state.current().inbox().waiting();
        TurnResult retry = send(withChannel(chat, "hello", "slack-ts-1"));

        assertThat(retry.getOutcome()).isEqualTo(TurnOutcome.TURN_OUTCOME_DEFERRED);
        assertThat(retry.getDeferredId()).isEqualTo(first.getDeferredId());
        assertThat(state.current().inbox().waiting()).isEqualTo(waiting);
    }

    @Test
    void theChatIsToldOncePerPauseForDeferralsAndRefusalsAlikeAndAgainInTheNextPause() {
        String chat = session("pauses");
        drain();
        TurnResult deferred = send(withChannel(chat, "one", ""));
        TurnResult refused = send(withChannel(chat, "two", "").toBuilder().setWhenPaused(WhenPaused.WHEN_PAUSED_REFUSE)
                .build());
        TurnResult deferredAgain = send(withChannel(chat, "three", ""));
        state.cancelDrain("test", "");
        await().until(() -> Chats.listed(channel, chat).isEmpty());

        drain();
        TurnResult nextPause = send(withChannel(chat, "four", ""));
        TurnResult nextPauseAgain = send(withChannel(chat, "five", ""));

        assertThat(deferred.getReply()).isEqualTo(MessagePipeline.DEFERRED_DRAINING_REPLY);
        assertThat(refused.getOutcome()).isEqualTo(TurnOutcome.TURN_OUTCOME_REFUSED_DRAINING);
        assertThat(refused.getReply()).as("the pause's notice went with the first answer").isEmpty();
        assertThat(deferredAgain.getReply()).isEmpty();
        assertThat(nextPause.getOutcome()).isEqualTo(TurnOutcome.TURN_OUTCOME_DEFERRED);
        assertThat(nextPause.getReply()).as("a new pause, a new notice")
                .isEqualTo(MessagePipeline.DEFERRED_DRAINING_REPLY);
        assertThat(nextPauseAgain.getReply()).isEmpty();
    }

    @Test
    void withTheLogSinkAReplayedAnswerIsLoggedByItsSizeAndIdsNeverItsText() {
        String chat = session("log-sink");
        String text = "a-question-only-the-user-may-read";
        try (LogRecorder log = LogRecorder.of("")) {
            drain();
            String id = send(withChannel(chat, text, "ts-log")).getDeferredId();
            state.cancelDrain("test", "");
            await().until(() -> Chats.listed(channel, chat).isEmpty());

            assertThat(log.all()).as("the echo's answer is the text itself").noneMatch(line -> line.contains(text))
                    .anySatisfy(line -> assertThat(line).contains("deferred_reply").contains(id)
                            .contains(text.length() + " characters"));
        }
    }

    @Test
    void withoutAChannelOrAskingForRefusalAMessageIsRefusedAsBefore() {
        drain();

        TurnResult noChannel = send(message(session("no-channel"), "hi"));
        TurnResult refuse = send(withChannel(session("refuse"), "hi", "").toBuilder()
                .setWhenPaused(WhenPaused.WHEN_PAUSED_REFUSE).build());

        assertThat(noChannel.getOutcome()).isEqualTo(TurnOutcome.TURN_OUTCOME_REFUSED_DRAINING);
        assertThat(noChannel.getReply()).isEqualTo(MessagePipeline.DRAINING_REPLY);
        assertThat(refuse.getOutcome()).isEqualTo(TurnOutcome.TURN_OUTCOME_REFUSED_DRAINING);
        assertThat(refuse.getDeferredId()).isEmpty();
    }
}
