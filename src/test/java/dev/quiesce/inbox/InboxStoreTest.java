package dev.quiesce.inbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiesce.testing.UnwritableDirs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The inbox's SQLite store on a real file in a temp dir. */
class InboxStoreTest {

    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

    @TempDir
    Path home;

    private InboxStore store;

    @BeforeEach
    void open() throws Exception {
        Path file = Files.createFile(home.resolve("inbox.db"));
        store = InboxStore.open(file);
    }

    @AfterEach
    void close() throws SQLException {
        store.close();
    }

    private InboxStore.Saved save(String id, String session, String messageId, Instant at) throws SQLException {
        return store.save(id, InboxEntry.Kind.DEFERRED, session, "chan", messageId, false, "text of " + id, at,
                at.minus(Duration.ofMinutes(15)), 100, 1 << 20);
    }

    @Test
    void aSavedEntryIsThereAfterTheStoreIsOpenedAgain() throws Exception {
        save("m-1", "s1", "p-1", T0);
        store.close();
        store = InboxStore.open(home.resolve("inbox.db"));

        List<InboxEntry> page = store.page(0, 10);
        assertThat(page).singleElement().satisfies(e -> {
            assertThat(e.deferredId()).isEqualTo("m-1");
            assertThat(e.text()).isEqualTo("text of m-1");
            assertThat(e.receivedAt()).isEqualTo(T0);
        });
    }

    @Test
    void aMessageIdSeenWaitingOrAnsweredWithinTheWindowIsADuplicate() throws Exception {
        save("m-1", "s1", "p-1", T0);
        assertThat(save("m-2", "s1", "p-1", T0.plusSeconds(1))).isEqualTo(new InboxStore.Saved.Duplicate("m-1"));
        assertThat(save("m-3", "s2", "p-1", T0.plusSeconds(1))).as("another session").isInstanceOf(InboxStore.Saved.Stored.class);

        InboxEntry first = store.page(0, 1).get(0);
        store.finish(first, T0.plusSeconds(10));
        assertThat(save("m-4", "s1", "p-1", T0.plusSeconds(60))).isEqualTo(new InboxStore.Saved.Duplicate("m-1"));
        assertThat(save("m-5", "s1", "p-1", T0.plusSeconds(10).plus(Duration.ofMinutes(16))))
                .as("after the window").isInstanceOf(InboxStore.Saved.Stored.class);
    }

    @Test
    void aFullInboxStoresNothing() throws Exception {
        for (int i = 0; i < 3; i++) {
            store.save("m-" + i, InboxEntry.Kind.DEFERRED, "s", "c", "", false, "x", T0, T0, 3, 1 << 20);
        }
        assertThat(store.save("m-9", InboxEntry.Kind.DEFERRED, "s", "c", "", false, "x", T0, T0, 3, 1 << 20))
                .isInstanceOf(InboxStore.Saved.Full.class);
        assertThat(store.save("m-9", InboxEntry.Kind.DEFERRED, "t", "c", "", false, "0123456789", T0, T0, 10, 12))
                .as("by bytes").isInstanceOf(InboxStore.Saved.Full.class);
        assertThat(store.summary().waiting()).isEqualTo(3);
    }

    @Test
    void anExpiredEntryIsDroppedWithoutBeingRememberedSoItsResendIsStoredAgain() throws Exception {
        save("m-1", "s1", "p-1", T0);
        store.drop(store.page(0, 1).get(0));

        assertThat(save("m-2", "s1", "p-1", T0.plusSeconds(5))).as("not a duplicate: it was never answered")
                .isInstanceOf(InboxStore.Saved.Stored.class);
    }

    @Test
    void answeredMessageIdsOlderThanTheWindowAreForgotten() throws Exception {
        save("m-1", "s1", "p-1", T0);
        store.finish(store.page(0, 1).get(0), T0.plusSeconds(10));

        store.pruneAnswered(T0.plusSeconds(9));
        assertThat(store.save("m-2", InboxEntry.Kind.DEFERRED, "s1", "chan", "p-1", false, "x", T0.plusSeconds(11),
                T0, 100, 1 << 20)).as("kept: answered after the cut").isEqualTo(new InboxStore.Saved.Duplicate("m-1"));
        store.pruneAnswered(T0.plusSeconds(11));
        assertThat(store.save("m-3", InboxEntry.Kind.DEFERRED, "s1", "chan", "p-1", false, "x", T0.plusSeconds(12),
                T0, 100, 1 << 20)).as("forgotten").isInstanceOf(InboxStore.Saved.Stored.class);
    }

    @Test
    void aDatabaseFileThatCanOnlyBeReadIsRefusedAtOpenNotAtTheFirstSave() throws Exception {
        save("m-1", "s1", "", T0);
        store.close();
        Path file = home.resolve("inbox.db");
        try (UnwritableDirs.Frozen frozen = UnwritableDirs.immutable(file)) {
            assertThatThrownBy(() -> InboxStore.open(file)).isInstanceOf(SQLException.class)
                    .satisfies(e -> assertThat(InboxFile.describe(e)).startsWith("SQLITE_READONLY"));
        }
        store = InboxStore.open(file);
        assertThat(store.page(0, 10)).extracting(InboxEntry::deferredId).containsExactly("m-1");
    }

    @Test
    void attemptsAreCountedAndAFinishedEntryIsGone() throws Exception {
        save("m-1", "s1", "", T0);
        store.startAttempt(store.page(0, 1).get(0));
        store.startAttempt(store.page(0, 1).get(0));
        InboxEntry entry = store.page(0, 1).get(0);
        assertThat(entry.attempts()).isEqualTo(2);

        store.finish(entry, T0);
        store.finish(entry, T0);

        assertThat(store.summary().waiting()).isZero();
    }

    private static InboxStore.NewEntry message(String id, String session, String messageId, String text) {
        return new InboxStore.NewEntry(id, InboxEntry.Kind.DEFERRED, session, "chan", messageId, false, text, T0);
    }

    private static InboxStore.Limits limits(int maxEntries, long maxBytes) {
        return new InboxStore.Limits(T0.minus(Duration.ofMinutes(15)), maxEntries, maxBytes);
    }

    @Test
    void aBatchIsStoredInOrderAndAMessageIdStoredEarlierInTheSameBatchIsADuplicate() throws Exception {
        List<InboxStore.Saved> verdicts = store.saveAll(List.of(message("m-1", "s1", "p-1", "a"),
                message("m-2", "s1", "p-1", "a again"), message("m-3", "s2", "p-1", "b"),
                message("m-4", "s1", "p-2", "c")), limits(100, 1 << 20));

        assertThat(verdicts.get(0)).isInstanceOf(InboxStore.Saved.Stored.class);
        assertThat(verdicts.get(1)).as("the retry inside the batch").isEqualTo(new InboxStore.Saved.Duplicate("m-1"));
        assertThat(verdicts.get(2)).as("another session").isInstanceOf(InboxStore.Saved.Stored.class);
        assertThat(verdicts.get(3)).isInstanceOf(InboxStore.Saved.Stored.class);
        assertThat(store.page(0, 10)).extracting(InboxEntry::deferredId).containsExactly("m-1", "m-3", "m-4");
    }

    @Test
    void theLimitsCountTheEntriesTheBatchStoredBeforeEachMessage() throws Exception {
        save("m-0", "s0", "", T0);

        List<InboxStore.Saved> verdicts = store.saveAll(List.of(message("m-1", "s1", "", "x"),
                message("m-2", "s2", "", "x"), message("m-3", "s3", "", "x"), message("m-4", "s4", "", "x")),
                limits(3, 1 << 20));
        assertThat(verdicts).extracting(v -> v.getClass().getSimpleName())
                .containsExactly("Stored", "Stored", "Full", "Full");
        assertThat(((InboxStore.Saved.Full) verdicts.get(2)).why()).contains("holds 3 entries");

        List<InboxStore.Saved> byBytes = store.saveAll(List.of(message("m-5", "s5", "", "12345"),
                message("m-6", "s6", "", "12345")), limits(100, store.summary().bytes() + 9));
        assertThat(byBytes).extracting(v -> v.getClass().getSimpleName()).containsExactly("Stored", "Full");
        assertThat(store.summary().waiting()).isEqualTo(4);
    }

    @Test
    void aBatchWhoseWriteFailsStoresNothingAndLeavesTheCountsAsTheyWere() throws Exception {
        save("m-0", "s0", "", T0);

        assertThatThrownBy(() -> store.saveAll(List.of(message("m-1", "s1", "", "x"),
                message("m-0", "s2", "", "a deferred_id already stored"), message("m-2", "s3", "", "x")),
                limits(100, 1 << 20))).isInstanceOf(SQLException.class);

        assertThat(store.page(0, 10)).extracting(InboxEntry::deferredId).containsExactly("m-0");
        assertThat(store.summary().waiting()).isEqualTo(1);
        assertThat(store.saveAll(List.of(message("m-3", "s1", "", "x")), limits(2, 1 << 20)))
                .as("counted as one entry, not as the rolled-back three").singleElement()
                .isInstanceOf(InboxStore.Saved.Stored.class);
    }

    @Test
    void theCountsAreReadAtOpenAndFollowRemovals() throws Exception {
        save("m-1", "s1", "", T0);
        save("m-2", "s2", "", T0);
        store.close();
        store = InboxStore.open(home.resolve("inbox.db"));

        assertThat(store.saveAll(List.of(message("m-3", "s3", "", "x")), limits(2, 1 << 20))).singleElement()
                .isInstanceOf(InboxStore.Saved.Full.class);
        store.finish(store.page(0, 1).get(0), T0);
        store.drop(store.page(0, 1).get(0));
        store.discard(List.of("m-2"));
        assertThat(store.saveAll(List.of(message("m-4", "s4", "", "x"), message("m-5", "s5", "", "x")),
                limits(2, 1 << 20))).allSatisfy(v -> assertThat(v).isInstanceOf(InboxStore.Saved.Stored.class));
        assertThat(store.summary().waiting()).isEqualTo(2);
        assertThat(store.summary().bytes()).isEqualTo(2);
    }

    @Test
    void theReplaysChangesAreMadeTogetherAndAGoneEntryIsANoOp() throws Exception {
        save("m-1", "s1", "p-1", T0);
        save("m-2", "s2", "", T0);
        List<InboxEntry> both = store.page(0, 10);

        int removed = store.apply(List.of(new InboxStore.Change.Started(both.get(1)),
                new InboxStore.Change.Finished(both.get(0), T0.plusSeconds(1)),
                new InboxStore.Change.Finished(both.get(0), T0.plusSeconds(2))));

        assertThat(removed).isEqualTo(1);
        assertThat(store.page(0, 10)).singleElement().satisfies(e -> {
            assertThat(e.deferredId()).isEqualTo("m-2");
            assertThat(e.attempts()).isEqualTo(1);
        });
        assertThat(save("m-3", "s1", "p-1", T0.plusSeconds(3))).as("remembered as answered")
                .isEqualTo(new InboxStore.Saved.Duplicate("m-1"));
        assertThat(store.entries(List.of(both.get(0).seq(), both.get(1).seq()))).extracting(InboxEntry::deferredId)
                .containsExactly("m-2");
    }
}
