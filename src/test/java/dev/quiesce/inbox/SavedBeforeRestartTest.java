package dev.quiesce.inbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quiesce.drain.DrainStateBean;
import dev.quiesce.testing.InjectWebhookReceiver;
import dev.quiesce.testing.TestHome;
import dev.quiesce.testing.WebhookReceiver;
import dev.quiesce.testing.WebhookReceiverResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a previous instantiation saved runs at the start of the next (SPEC §9 Replay), in order. */
@QuarkusTest
@TestProfile(SavedBeforeRestartTest.Profile.class)
class SavedBeforeRestartTest {

    /** A home whose inbox.db holds two entries of {@code before-a} and one of {@code before-b}. */
    public static class Profile implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(Home.class), new TestResourceEntry(WebhookReceiverResource.class));
        }
    }

    public static class Home extends TestHome {
        @Override
        protected void prepare(Path home) throws IOException {
            SavedInbox.write(home, "before-a", "first of a", "before-b", "only of b", "before-a", "second of a");
        }
    }

    @InjectWebhookReceiver
    WebhookReceiver webhook;

    @Inject
    DrainStateBean state;

    @Test
    void entriesSavedBeforeTheRestartAreAnsweredAtStartInTheOrderTheyArrived() {
        assertThat(webhook.awaitDelivered("deferred_reply", "before-a", 2))
                .extracting(WebhookReceiver.Delivery::deferredId, WebhookReceiver.Delivery::text)
                .containsExactly(org.assertj.core.api.Assertions.tuple("m-before-1", "first of a"),
                        org.assertj.core.api.Assertions.tuple("m-before-3", "second of a"));
        assertThat(webhook.awaitDelivered("deferred_reply", "before-b", 1))
                .extracting(WebhookReceiver.Delivery::deferredId).containsExactly("m-before-2");
        await().until(() -> state.current().inbox().waiting() == 0);
    }
}
