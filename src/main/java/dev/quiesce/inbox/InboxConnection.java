package dev.quiesce.inbox;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.flywaydb.core.Flyway;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * Opens the connection an {@link InboxStore} works on: WAL journal, {@code synchronous=FULL}, the schema
 * migrated with Flyway ({@code db/inbox/V*.sql}), the file checked with {@code PRAGMA quick_check} and
 * found writable. Stateless.
 */
final class InboxConnection {

    /** Where the migrations are, on the class path. */
    static final String MIGRATIONS = "classpath:db/inbox";

    /**
     * The newest migration's version ({@code db/inbox/V<it>__*.sql}; a test keeps the two in step). A
     * database whose last successful migration is this one is not handed to Flyway: starting Flyway
     * (its classes, its scan of the class path) took a third of a second of every start.
     */
    static final String SCHEMA_VERSION = "1";

    private InboxConnection() {}

    /**
     * True if Flyway's history says the database is at {@link #SCHEMA_VERSION}. Anything else — a new
     * file, an older schema, a file that is no database — is Flyway's to migrate or to refuse.
     */
    static boolean atSchemaVersion(SQLiteDataSource source) {
        try (Connection connection = source.getConnection();
                Statement query = connection.createStatement();
                ResultSet last = query.executeQuery("SELECT version FROM flyway_schema_history WHERE success = 1"
                        + " ORDER BY installed_rank DESC LIMIT 1")) {
            return last.next() && SCHEMA_VERSION.equals(last.getString(1));
        } catch (SQLException e) {
            return false;
        }
    }

    /** The database failed {@code PRAGMA quick_check}. */
    static final class CorruptInboxException extends SQLException {
        CorruptInboxException(String message) {
            super(message);
        }
    }

    /**
     * Opens (creating or migrating it as needed) the database at {@code file}, which must exist (an
     * empty file is a new database: the caller creates it with the file mode it wants).
     *
     * @return the connection, autocommit off
     * @throws SQLException when it cannot be opened, migrated, read or written, or is corrupt ({@code
     *     org.sqlite.SQLiteException#getResultCode()} says which: SQLITE_NOTADB, SQLITE_CORRUPT,
     *     SQLITE_CANTOPEN, SQLITE_READONLY...; {@link CorruptInboxException} for a failed check)
     */
    static Connection open(Path file) throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        config.setBusyTimeout(5000);
        config.enforceForeignKeys(true);
        SQLiteDataSource source = new SQLiteDataSource(config);
        source.setUrl("jdbc:sqlite:" + file.toAbsolutePath());
        if (!atSchemaVersion(source)) {
            try {
                Flyway.configure(InboxConnection.class.getClassLoader()).dataSource(source).locations(MIGRATIONS)
                        .load().migrate();
            } catch (RuntimeException e) {
                throw e.getCause() instanceof SQLException sql ? sql
                        : new SQLException("migrating " + file + ": " + e, e);
            }
        }
        Connection connection = source.getConnection();
        try {
            connection.setAutoCommit(false);
            try (Statement check = connection.createStatement();
                    ResultSet result = check.executeQuery("PRAGMA quick_check")) {
                String verdict = result.next() ? result.getString(1) : "no answer";
                if (!"ok".equals(verdict)) {
                    throw new CorruptInboxException(file + " failed its integrity check: " + verdict);
                }
            }
            connection.commit();
            // A file SQLite can only read (immutable, a read-only journal) opens and reads fine and fails
            // at the first write: find out now, so the inbox reports it instead of refusing every save.
            try (Statement probe = connection.createStatement()) {
                probe.executeUpdate("DELETE FROM inbox_entry WHERE 0");
            }
            connection.rollback();
        } catch (SQLException e) {
            connection.close();
            throw e;
        }
        return connection;
    }
}
