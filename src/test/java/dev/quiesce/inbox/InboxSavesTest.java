package dev.quiesce.inbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.quiesce.drain.DrainAuditLog;
import dev.quiesce.drain.Phase;
import dev.quiesce.home.QuiesceHome;
import dev.quiesce.pipeline.Deferral.Deposit;
import dev.quiesce.pipeline.InboundMessage;
import dev.quiesce.testing.LogRecorder;
import dev.quiesce.testing.TestConfig;
import dev.quiesce.testing.UnwritableDirs;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Group commit of the saves on a real {@code inbox.db} in a temp dir: messages queued while the writer is
 * busy are stored in one transaction, each judged as alone, and every caller is answered after it.
 */
class InboxSavesTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-01T10:00:00Z"), ZoneOffset.UTC);

    @TempDir
    Path home;

    private final InboxIndex index = new InboxIndex();
    private final AtomicInteger published = new AtomicInteger();
    private InboxWriter writer;
    private InboxSaves saves;

    @BeforeEach
    void open() {
        InboxMetrics metrics = new InboxMetrics(new SimpleMeterRegistry());
        writer = new InboxWriter(new InboxFile(home, CLOCK), index, metrics, () -> { });
        writer.reopen();
        assertThat(writer.isOpen()).isTrue();
        saves = new InboxSaves(writer, index, metrics, new InboxAudit(new DrainAuditLog(new QuiesceHome(home))),
                TestConfig.of(Map.of("quiesce.inbox.max-entries", "3")).inbox(), CLOCK, () -> Phase.DRAINING,
                published::incrementAndGet);
    }

    @AfterEach
    void close() {
        writer.close(() -> {}, Duration.ofSeconds(5));
    }

    private static InboundMessage message(String session, String messageId) {
        return new InboundMessage(session, "chan", "text of " + messageId, false, messageId);
    }

    /** Saves {@code messages} while the writer is held, so they all queue for one batch; then lets it go. */
    private List<Deposit> oneBatch(Runnable beforeRelease, InboundMessage... messages) throws Exception {
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        writer.run(() -> {
            held.countDown();
            await(release);
        });
        await(held);
        List<CompletableFuture<Deposit>> answers = new ArrayList<>();
        for (InboundMessage message : messages) {
            CompletableFuture<Deposit> answer = new CompletableFuture<>();
            saves.save(message, answer::complete);
            answers.add(answer);
        }
        assertThat(answers).as("nobody is answered before the commit").noneMatch(CompletableFuture::isDone);
        beforeRelease.run();
        int before = published.get();
        release.countDown();
        List<Deposit> deposits = new ArrayList<>();
        for (CompletableFuture<Deposit> answer : answers) {
            deposits.add(answer.get(10, TimeUnit.SECONDS));
        }
        assertThat(published.get() - before).as("the state is told once per batch, and only of a stored entry")
                .isLessThanOrEqualTo(1);
        return deposits;
    }

    private static void await(CountDownLatch latch) {
        try {
            assertThat(latch.await(10, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private List<InboxEntry> stored() {
        return writer.withStore("listing", store -> store.page(0, 100)).orElseThrow();
    }

    @Test
    void aRetryInsideTheBatchIsAnsweredWithTheFirstsIdAndTheSessionsOrderIsKept() throws Exception {
        List<Deposit> deposits = oneBatch(() -> { }, message("s1", "p-1"), message("s2", "p-9"),
                message("s1", "p-1"), message("s1", "p-2"));

        assertThat(deposits).allSatisfy(d -> assertThat(d).isInstanceOf(Deposit.Saved.class));
        String first = ((Deposit.Saved) deposits.get(0)).deferredId();
        assertThat(deposits.get(2)).as("the retry").isEqualTo(new Deposit.Saved(first));
        assertThat(published).hasValue(1);
        assertThat(stored()).extracting(InboxEntry::sessionId, InboxEntry::messageId)
                .containsExactly(tuple("s1", "p-1"),
                        tuple("s2", "p-9"), tuple("s1", "p-2"));
        assertThat(index.waiting()).isEqualTo(3);
    }

    @Test
    void aBatchThatReachesMaxEntriesStoresWhatFitsAndRefusesTheRest() throws Exception {
        oneBatch(() -> { }, message("s0", "p-0"));

        List<Deposit> deposits;
        try (LogRecorder log = LogRecorder.expecting(InboxSaves.class)) {
            deposits = oneBatch(() -> { }, message("s1", "p-1"), message("s2", "p-2"), message("s3", "p-3"),
                    message("s4", "p-4"));
        }

        assertThat(deposits).extracting(d -> d.getClass().getSimpleName())
                .containsExactly("Saved", "Saved", "NotSaved", "NotSaved");
        assertThat(((Deposit.NotSaved) deposits.get(2)).why()).contains("quiesce.inbox.max-entries");
        assertThat(stored()).extracting(InboxEntry::sessionId).containsExactly("s0", "s1", "s2");
        assertThat(index.holds("s3")).as("a refused message holds nothing").isFalse();
        assertThat(index.holds("s4")).isFalse();
        assertThat(index.waiting()).isEqualTo(3);
    }

    @Test
    void aBatchWhoseCommitFailsRefusesEveryCallerAndStoresNothing() throws Exception {
        oneBatch(() -> { }, message("s0", "p-0"));
        Path wal = home.resolve("inbox.db-wal");
        assertThat(wal).exists();

        List<Deposit> deposits;
        try (LogRecorder log = LogRecorder.expecting(InboxFile.class);
                UnwritableDirs.Frozen frozen = UnwritableDirs.immutable(wal)) {
            deposits = oneBatch(() -> { }, message("s1", "p-1"), message("s0", "p-2"), message("s2", "p-3"));
        }

        assertThat(deposits).allSatisfy(d -> assertThat(d).isInstanceOfSatisfying(Deposit.NotSaved.class,
                notSaved -> assertThat(notSaved.why()).contains("SQLITE_IOERR")));
        assertThat(writer.isOpen()).as("closed until it is opened again").isFalse();
        assertThat(index.waiting()).as("state unchanged").isEqualTo(1);
        assertThat(index.holds("s1")).isFalse();
        assertThat(index.holds("s2")).isFalse();
        CountDownLatch reopened = new CountDownLatch(1);
        writer.run(() -> {
            writer.reopen();
            reopened.countDown();
        });
        await(reopened);
        assertThat(stored()).as("nothing of the batch").extracting(InboxEntry::sessionId).containsExactly("s0");
        assertThat(oneBatch(() -> { }, message("s1", "p-1"), message("s2", "p-3"), message("s3", "p-4")))
                .as("the counts were put back: 3 fit again").extracting(d -> d.getClass().getSimpleName())
                .containsExactly("Saved", "Saved", "NotSaved");
    }

    @Test
    void aSaveAfterTheWriterClosedIsRefusedAndHoldsNothing() throws Exception {
        writer.close(() -> {}, Duration.ofSeconds(5));
        CompletableFuture<Deposit> answer = new CompletableFuture<>();

        saves.save(message("s1", "p-1"), answer::complete);

        assertThat(answer.get(10, TimeUnit.SECONDS)).isEqualTo(new Deposit.NotSaved("the inbox is closing"));
        assertThat(index.holds("s1")).isFalse();
    }
}
