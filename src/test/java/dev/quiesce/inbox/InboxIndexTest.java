package dev.quiesce.inbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The inbox's in-memory index: which sessions hold a backlog, how many wait, the oldest. */
class InboxIndexTest {

    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

    private final InboxIndex index = new InboxIndex();

    private static InboxEntry entry(long seq, String session, Instant at) {
        return new InboxEntry(seq, "m-" + seq, InboxEntry.Kind.DEFERRED, session, "chan", "", false, "text", at, 0);
    }

    @Test
    void aSessionHoldsFromTheStartOfItsSaveUntilItsLastEntryIsGone() {
        index.saving("s");
        assertThat(index.holds("s")).as("while saving").isTrue();
        InboxEntry first = entry(1, "s", T0);
        index.saved("s", first);
        index.saving("s");
        InboxEntry second = entry(2, "s", T0.plusSeconds(1));
        index.saved("s", second);

        index.remove(first);
        assertThat(index.holds("s")).isTrue();
        index.remove(second);
        assertThat(index.holds("s")).isFalse();
        assertThat(index.waiting()).isZero();
    }

    @Test
    void aSaveThatStoredNothingReleasesTheSession() {
        index.saving("s");
        index.saved("s", null);

        assertThat(index.holds("s")).isFalse();
    }

    @Test
    void aReloadFromTheStoreKeepsASaveStillInProgress() {
        index.saving("s");
        index.load(List.of(entry(7, "t", T0)));

        assertThat(index.holds("s")).as("its save is still queued on the writer").isTrue();
        index.saved("s", entry(8, "s", T0.plusSeconds(1)));
        assertThat(index.holds("s")).isTrue();
        assertThat(index.waiting()).isEqualTo(2);
    }

    @Test
    void theOldestIsTheFirstToArriveAndGoesWithIt() {
        index.load(List.of(entry(3, "a", T0), entry(4, "b", T0.plusSeconds(1))));
        assertThat(index.oldestReceivedAt()).isEqualTo(T0);

        index.remove(entry(3, "a", T0));
        assertThat(index.oldestReceivedAt()).isEqualTo(T0.plusSeconds(1));
        index.remove(entry(4, "b", T0.plusSeconds(1)));
        assertThat(index.oldestReceivedAt()).isNull();
    }
}
