package dev.quiesce.inbox;

import dev.quiesce.home.IsoTimes;
import dev.quiesce.home.LogOnce;
import io.quarkus.logging.Log;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * Opens {@code <home>/inbox.db} and never lets it stop the gateway (SPEC §9: never a crash loop).
 * A file that is not a database or is corrupt is moved aside as {@code inbox.db.corrupt-<utc time>}
 * (with its {@code -wal} and {@code -shm}) and a fresh one created, logged once; a file that cannot
 * be opened at all (an unwritable home) leaves the inbox unavailable, with the cause, until a later
 * {@link #open()} succeeds. New files are created 0600 (SQLite would make them 0644), before SQLite
 * first opens them; its {@code -wal} and {@code -shm} take the database's mode.
 *
 * <p>Not thread-safe: its owner ({@link Inbox}) calls it from one thread at a time (its writer).
 */
final class InboxFile {

    /** The file name in the home. */
    static final String FILE_NAME = "inbox.db";

    private final Path file;
    private final Clock clock;
    private final LogOnce<String> failure = LogOnce.tracker();

    InboxFile(Path home, Clock clock) {
        this.file = home.resolve(FILE_NAME);
        this.clock = clock;
    }

    Path path() {
        return file;
    }

    /** What {@link #open()} found. */
    sealed interface Opened {
        /** Ready; {@code note} says when a corrupt file was replaced on the way (empty otherwise). */
        record Ready(InboxStore store, String note) implements Opened {}

        /** Not usable now; {@code cause} says why, for the state and the log. */
        record Unavailable(String cause) implements Opened {}
    }

    /** Opens the store, replacing a corrupt file. Never throws. */
    Opened open() {
        try {
            return new Opened.Ready(openOrCreate(), "");
        } catch (SQLException e) {
            if (!isCorrupt(e)) {
                return unavailable(describe(e));
            }
            String aside;
            try {
                aside = moveAside();
            } catch (IOException moveFailed) {
                return unavailable("it is corrupt (" + describe(e) + ") and could not be moved aside: " + moveFailed);
            }
            Log.warnf("Inbox %s was corrupt (%s): moved aside to %s, a fresh inbox is in its place; what the old "
                    + "one held is in that file", file, describe(e), aside);
            try {
                return new Opened.Ready(openOrCreate(), "a corrupt inbox was moved aside to " + aside);
            } catch (SQLException | IOException again) {
                return unavailable(describe(again));
            }
        } catch (IOException | RuntimeException e) {
            return unavailable(e.toString());
        }
    }

    private InboxStore openOrCreate() throws SQLException, IOException {
        if (!Files.exists(file)) {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
        InboxStore store = InboxStore.open(file);
        if (failure.clear()) {
            Log.infof("Inbox %s open again: messages are kept while the gateway is paused", file);
        }
        return store;
    }

    private Opened unavailable(String cause) {
        return new Opened.Unavailable(failed(cause));
    }

    /**
     * Reports that the inbox cannot be used (it would not open, or an open store failed): logged once per
     * cause, until an {@link #open()} succeeds again.
     *
     * @return the sentence for the state's {@code inbox.error}, naming the file and {@code cause}
     */
    String failed(String cause) {
        String why = "the inbox " + file + " cannot be used: " + cause;
        if (failure.isNew(why)) {
            Log.errorf("%s; messages that arrive while the gateway is paused are refused as before, and the inbox "
                    + "is tried again on every poll tick (logged once per cause)", why);
        }
        return why;
    }

    /** Renames the database and its journal files to {@code <name>.corrupt-<utc time>}. */
    private String moveAside() throws IOException {
        String suffix = ".corrupt-" + IsoTimes.format(clock.instant()).replace(':', '-');
        Path target = file.resolveSibling(file.getFileName() + suffix);
        for (String journal : List.of("", "-wal", "-shm")) {
            Path from = file.resolveSibling(file.getFileName() + journal);
            if (Files.exists(from)) {
                Files.move(from, file.resolveSibling(file.getFileName() + suffix + journal),
                        StandardCopyOption.ATOMIC_MOVE);
            }
        }
        return target.toString();
    }

    private static boolean isCorrupt(SQLException e) {
        if (e instanceof InboxConnection.CorruptInboxException) {
            return true;
        }
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLiteException sqlite) {
                SQLiteErrorCode code = sqlite.getResultCode();
                return code == SQLiteErrorCode.SQLITE_NOTADB || code == SQLiteErrorCode.SQLITE_CORRUPT;
            }
        }
        return false;
    }

    static String describe(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLiteException sqlite) {
                return sqlite.getResultCode().name() + " (" + sqlite.getMessage() + ")";
            }
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
