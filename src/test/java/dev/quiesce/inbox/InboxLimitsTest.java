package dev.quiesce.inbox;

import static dev.quiesce.inbox.Chats.chat;
import static dev.quiesce.inbox.Chats.listed;
import static dev.quiesce.testing.GatewayClient.session;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quiesce.api.v1.TurnOutcome;
import dev.quiesce.api.v1.TurnResult;
import dev.quiesce.api.v1.WhenPaused;
import dev.quiesce.drain.DrainStateBean;
import dev.quiesce.home.QuiesceHome;
import dev.quiesce.pipeline.MessagePipeline;
import dev.quiesce.testing.InjectWebhookReceiver;
import dev.quiesce.testing.Metrics;
import dev.quiesce.testing.TestHome;
import dev.quiesce.testing.WebhookReceiver;
import dev.quiesce.testing.WebhookReceiverResource;
import io.grpc.Channel;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The inbox's limits and modes with small settings (SPEC §9 Mode, Truthful receipt, Duplicates, Expiry):
 * {@code mode=refuse} (so only messages asking for DEFER are kept), at most 3 entries, entries expire
 * after 5 s, duplicates are recognised for 3 s after their answer. Echo turns, notifications to a real
 * webhook.
 */
@QuarkusTest
@TestProfile(InboxLimitsTest.Profile.class)
class InboxLimitsTest {

    /** Small limits, refuse mode. */
    public static class Profile implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(TestHome.class), new TestResourceEntry(WebhookReceiverResource.class));
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quiesce.inbox.mode", "refuse", "quiesce.inbox.max-entries", "3",
                    "quiesce.inbox.max-age", "5s", "quiesce.inbox.dedup-window", "3s");
        }
    }

    @InjectWebhookReceiver
    WebhookReceiver webhook;

    @GrpcClient("gateway")
    Channel channel;

    @Inject
    DrainStateBean state;

    @Inject
    QuiesceHome home;

    private InboxDriver inbox;

    @BeforeEach
    void emptyAndDraining() {
        inbox = new InboxDriver(channel, state, home);
        await().until(() -> state.current().inbox().waiting() == 0);
        inbox.drain();
    }

    @AfterEach
    void running() {
        inbox.runUntilEmpty();
    }

    private TurnResult send(dev.quiesce.api.v1.InboundMessage message) {
        return inbox.send(message);
    }

    /** A message asking to be kept (the mode here is refuse). */
    private static dev.quiesce.api.v1.InboundMessage keep(String session, String text) {
        return chat(session, text, WhenPaused.WHEN_PAUSED_DEFER);
    }

    private static dev.quiesce.api.v1.InboundMessage keep(String session, String text, String messageId) {
        return chat(session, text, messageId).toBuilder().setWhenPaused(WhenPaused.WHEN_PAUSED_DEFER).build();
    }

    @Test
    void inRefuseModeAMessageIsRefusedAsBeforeUnlessItAsksToBeKept() {
        TurnResult configured = send(chat(session("as-configured"), "hi"));
        TurnResult refuse = send(chat(session("asks-refuse"), "hi", WhenPaused.WHEN_PAUSED_REFUSE));
        TurnResult defer = send(keep(session("asks-defer"), "hi"));

        assertThat(configured.getOutcome()).isEqualTo(TurnOutcome.TURN_OUTCOME_REFUSED_DRAINING);
        assertThat(configured.getReply()).isEqualTo(MessagePipeline.DRAINING_REPLY);
        assertThat(configured.getDeferredId()).isEmpty();
        assertThat(refuse.getOutcome()).isEqualTo(TurnOutcome.TURN_OUTCOME_REFUSED_DRAINING);
        assertThat(defer.getOutcome()).isEqualTo(TurnOutcome.TURN_OUTCOME_DEFERRED);
        assertThat(defer.getDeferredId()).isNotEmpty();
    }

    @Test
    void aFullInboxRefusesWithTheUsualTextCountsItAndStillKnowsItsOwnRetries() {
        double full = Metrics.value("quiesce_inbox_refused_total", "reason", "full");
        String first = session("full-1");
        TurnResult kept = send(keep(first, "one", "retry-me"));
        send(keep(session("full-2"), "two"));
        send(keep(session("full-3"), "three"));
        String fourth = session("full-4");

        TurnResult refused = send(keep(fourth, "four"));
        TurnResult retry = send(keep(first, "one", "retry-me"));

        assertThat(refused.getOutcome()).isEqualTo(TurnOutcome.TURN_OUTCOME_REFUSED_DRAINING);
        assertThat(refused.getReply()).isEqualTo(MessagePipeline.DRAINING_REPLY);
        assertThat(refused.getDeferredId()).isEmpty();
        assertThat(listed(channel, fourth)).isEmpty();
        assertThat(state.current().inbox().waiting()).isEqualTo(3);
        assertThat(Metrics.value("quiesce_inbox_refused_total", "reason", "full")).isEqualTo(full + 1);
        assertThat(retry.getOutcome()).as("a retry of a kept message is no new entry")
                .isEqualTo(TurnOutcome.TURN_OUTCOME_DEFERRED);
        assertThat(retry.getDeferredId()).isEqualTo(kept.getDeferredId());
    }

    @Test
    void anEntryOlderThanMaxAgeIsNeverRunAndItsChatGetsOneExpiredNotice() {
        String s = session("expires");
        double expired = Metrics.value("quiesce_inbox_expired_total");
        String old = send(keep(s, "an old question")).getDeferredId();

        List<WebhookReceiver.Delivery> notices = webhook.awaitDelivered("deferred_expired", s, 1);
        await().until(() -> listed(channel, s).isEmpty());
        String later = send(keep(s, "a newer question")).getDeferredId();
        inbox.cancel();
        webhook.awaitDelivered("deferred_reply", s, 1);

        assertThat(notices).singleElement().satisfies(notice -> {
            assertThat(notice.deferredId()).isEqualTo(old);
            assertThat(notice.body().path("channel").asText()).isEqualTo(Chats.channel(s));
            assertThat(notice.text()).isEqualTo(Replayer.EXPIRED_TEXT);
        });
        assertThat(webhook.delivered("deferred_expired", s)).as("one notice, even after more ticks").hasSize(1);
        assertThat(webhook.delivered("deferred_reply", s)).as("the old one never ran; the newer one did")
                .extracting(WebhookReceiver.Delivery::deferredId).containsExactly(later);
        assertThat(Metrics.value("quiesce_inbox_expired_total")).isEqualTo(expired + 1);
        assertThat(inbox.auditLines(s)).filteredOn(line -> line.path("event").asText().equals("inbox_expired"))
                .extracting(line -> line.path("deferred_id").asText()).contains(old);
    }

    @Test
    void aRetryOfAnAnsweredMessageIsADuplicateWithinTheDedupWindowAndStoredAgainAfterIt() {
        String s = session("window");
        String first = send(keep(s, "hello", "ts-1")).getDeferredId();
        inbox.cancel();
        webhook.awaitDelivered("deferred_reply", s, 1);
        await().until(() -> listed(channel, s).isEmpty());
        inbox.drain();

        TurnResult soon = send(keep(s, "hello", "ts-1"));
        TurnResult later = await().atMost(Duration.ofSeconds(15)).until(() -> send(keep(s, "hello", "ts-1")),
                r -> !r.getDeferredId().equals(first));

        assertThat(soon.getDeferredId()).as("within the window").isEqualTo(first);
        assertThat(listed(channel, s)).as("stored again after it").extracting(e -> e.getDeferredId())
                .containsExactly(later.getDeferredId());
    }
}
