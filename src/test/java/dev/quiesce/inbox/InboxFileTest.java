package dev.quiesce.inbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiesce.testing.LogRecorder;
import dev.quiesce.testing.UnwritableDirs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.logging.Level;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Opening {@code inbox.db}: its file modes, a corrupt file replaced, an unwritable home survived. */
class InboxFileTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-01T10:00:00Z"), ZoneOffset.UTC);

    @TempDir
    Path home;

    @Test
    void aNewInboxAndItsJournalFilesAreReadableByTheOwnerOnly() throws Exception {
        InboxFile.Opened opened = new InboxFile(home, CLOCK).open();

        assertThat(opened).isInstanceOf(InboxFile.Opened.Ready.class);
        try (InboxStore store = ((InboxFile.Opened.Ready) opened).store()) {
            store.save("m-1", InboxEntry.Kind.DEFERRED, "s", "c", "", false, "hi", CLOCK.instant(), CLOCK.instant(),
                    10, 1000);
            try (Stream<Path> files = Files.list(home)) {
                assertThat(files.filter(f -> f.getFileName().toString().startsWith("inbox.db")))
                        .hasSizeGreaterThanOrEqualTo(2)
                        .allSatisfy(f -> assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f)))
                                .as(f.toString()).isEqualTo("rw-------"));
            }
        }
    }

    @Test
    void aFileThatIsNotADatabaseIsMovedAsideAndAFreshInboxTakesItsPlace() throws Exception {
        Files.writeString(home.resolve("inbox.db"), "this is not a database, it is a text file someone left here");

        InboxFile.Opened opened;
        try (LogRecorder log = LogRecorder.expecting(InboxFile.class)) {
            opened = new InboxFile(home, CLOCK).open();
            assertThat(log.messages(Level.WARNING)).singleElement().asString().contains("moved aside");
        }

        assertThat(opened).isInstanceOf(InboxFile.Opened.Ready.class);
        ((InboxFile.Opened.Ready) opened).store().close();
        Path aside = home.resolve("inbox.db.corrupt-2026-12-01T10-00-00.000000+00-00");
        assertThat(Files.readString(aside)).startsWith("this is not a database");
        assertThat(((InboxFile.Opened.Ready) opened).note()).contains(aside.toString());
    }

    @Test
    void aDatabaseWithOverwrittenPagesIsMovedAsideAndAFreshInboxTakesItsPlace() throws Exception {
        InboxStore store = ((InboxFile.Opened.Ready) new InboxFile(home, CLOCK).open()).store();
        for (int i = 0; i < 50; i++) {
            store.save("m-" + i, InboxEntry.Kind.DEFERRED, "s", "c", "", false, "x".repeat(2000), CLOCK.instant(),
                    CLOCK.instant(), 100, 1 << 20);
        }
        store.close(); // checkpointed into inbox.db: the pages below are the entries'
        Path db = home.resolve("inbox.db");
        byte[] bytes = Files.readAllBytes(db);
        java.util.Arrays.fill(bytes, 4096 * 2, bytes.length, (byte) 0x5a);
        Files.write(db, bytes);

        InboxFile.Opened opened;
        try (LogRecorder log = LogRecorder.expecting(InboxFile.class)) {
            opened = new InboxFile(home, CLOCK).open();
            assertThat(log.messages(Level.WARNING)).singleElement().asString().contains("moved aside");
        }

        assertThat(opened).isInstanceOf(InboxFile.Opened.Ready.class);
        try (InboxStore fresh = ((InboxFile.Opened.Ready) opened).store()) {
            assertThat(fresh.page(0, 100)).isEmpty();
        }
        assertThat(home.resolve("inbox.db.corrupt-2026-12-01T10-00-00.000000+00-00")).hasBinaryContent(bytes);
    }

    @Test
    void aDatabaseFileThatCanOnlyBeReadLeavesTheInboxUnavailableUntilItCanBeWritten() throws Exception {
        ((InboxFile.Opened.Ready) new InboxFile(home, CLOCK).open()).store().close();
        InboxFile file = new InboxFile(home, CLOCK);
        try (UnwritableDirs.Frozen frozen = UnwritableDirs.immutable(home.resolve("inbox.db"));
                LogRecorder log = LogRecorder.expecting(InboxFile.class)) {
            InboxFile.Opened opened = file.open();

            assertThat(opened).isInstanceOfSatisfying(InboxFile.Opened.Unavailable.class,
                    unavailable -> assertThat(unavailable.cause()).contains("SQLITE_READONLY"));
            assertThat(log.messages(Level.SEVERE)).hasSize(1);
        }
        InboxFile.Opened later = file.open();
        assertThat(later).isInstanceOf(InboxFile.Opened.Ready.class);
        ((InboxFile.Opened.Ready) later).store().close();
    }

    @Test
    void anUnwritableHomeLeavesTheInboxUnavailableWithTheCauseLoggedOnce() throws Exception {
        InboxFile file = new InboxFile(home, CLOCK);
        try (UnwritableDirs.Frozen frozen = UnwritableDirs.freeze(home);
                LogRecorder log = LogRecorder.expecting(InboxFile.class)) {
            InboxFile.Opened first = file.open();
            InboxFile.Opened second = file.open();

            assertThat(first).isInstanceOf(InboxFile.Opened.Unavailable.class);
            assertThat(((InboxFile.Opened.Unavailable) first).cause()).contains(home.resolve("inbox.db").toString());
            assertThat(second).isEqualTo(first);
            assertThat(log.messages(Level.SEVERE)).hasSize(1);
        }
        InboxFile.Opened later = file.open();
        assertThat(later).as("once the home is writable again").isInstanceOf(InboxFile.Opened.Ready.class);
        ((InboxFile.Opened.Ready) later).store().close();
    }
}
