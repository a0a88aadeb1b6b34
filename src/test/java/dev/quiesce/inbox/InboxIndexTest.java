package dev.quiesce.inbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
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

    private static InboxEntry resume(long seq, String session, Instant at) {
        return new InboxEntry(seq, "r-" + seq, InboxEntry.Kind.RESUME, session, "chan", "", false, "text", at, 0);
    }

    @Test
    void eachSessionsHeadComesOldestFirstAndSkippedSessionsAreLeftOut() {
        index.load(List.of(entry(1, "a", T0), entry(2, "b", T0), entry(3, "a", T0), entry(4, "c", T0)));

        assertThat(index.heads(10, Set.of())).containsExactly(1L, 2L, 4L);
        assertThat(index.heads(10, Set.of("b"))).containsExactly(1L, 4L);
        assertThat(index.heads(1, Set.of())).containsExactly(1L);
        index.remove(entry(1, "a", T0));
        assertThat(index.heads(10, Set.of())).as("a's next").containsExactly(2L, 3L, 4L);
    }

    @Test
    void aResumeEntryRunsBeforeTheOthersOfItsSessionAndTheSessionTakesItsPlace() {
        index.load(List.of(entry(1, "a", T0), entry(2, "b", T0), resume(3, "a", T0), resume(4, "a", T0)));

        assertThat(index.heads(10, Set.of())).containsExactly(2L, 3L);
        index.remove(resume(3, "a", T0));
        assertThat(index.heads(10, Set.of())).containsExactly(2L, 4L);
        index.remove(resume(4, "a", T0));
        assertThat(index.heads(10, Set.of())).as("no resume entry left").containsExactly(1L, 2L);
    }

    @Test
    void aSavedResumeEntryBecomesItsSessionsHead() {
        index.saving("a");
        index.saved("a", entry(1, "a", T0));
        index.saving("a");
        index.saved("a", resume(2, "a", T0));

        assertThat(index.heads(10, Set.of())).containsExactly(2L);
    }

    @Test
    void aSessionsHeadIsItsOldestEntryHoweverManyItHas() {
        List<InboxEntry> entries = new ArrayList<>();
        for (int i = 1; i <= 300; i++) {
            entries.add(entry(i, "a", T0.plusMillis(i)));
        }
        entries.add(entry(301, "b", T0.plusSeconds(1)));
        index.load(entries);

        assertThat(index.heads(10, Set.of())).containsExactly(1L, 301L);
        assertThat(index.heads(10, Set.of("a"))).containsExactly(301L);
    }
}
