package dev.quiesce.inbox;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@code <home>/inbox.db}: the inbox's entries in SQLite, WAL journal, {@code synchronous=FULL}, so a
 * method that changes something has it on disk (fsync'd) when it returns ({@link InboxConnection}
 * opens it; {@link AnsweredIds} keeps the dedup window's table).
 *
 * <p>One connection, one writer: every method takes the store's lock. Every method blocks on the
 * disk, so callers run it on a worker thread, never on an event loop. Any failure is an
 * {@link SQLException}, after which nothing the failed call meant to change has changed (each change
 * is one transaction). Thread-safe.
 */
final class InboxStore implements AutoCloseable {

    /** Guarded by {@link #lock}, as is {@link #answered} (which works on it). */
    private final Connection connection;
    private final AnsweredIds answered;
    /** Guards {@link #connection}: SQLite has one writer, and so has this store. */
    private final ReentrantLock lock = new ReentrantLock();

    private InboxStore(Connection connection) {
        this.connection = connection;
        this.answered = new AnsweredIds(connection);
    }

    /**
     * Opens the database at {@code file} ({@link InboxConnection#open}).
     *
     * @throws SQLException when it cannot be opened, migrated, read or written, or is corrupt
     */
    static InboxStore open(Path file) throws SQLException {
        return new InboxStore(InboxConnection.open(file));
    }

    /** What {@link #save} did. */
    sealed interface Saved {
        /** Stored and committed. */
        record Stored(InboxEntry entry) implements Saved {}

        /** A message already waiting, or answered within the dedup window: nothing stored. */
        record Duplicate(String deferredId) implements Saved {}

        /** Not stored: the inbox holds as much as it may. */
        record Full(String why) implements Saved {}
    }

    /**
     * Stores a message, unless its message id is one of the same session still waiting, or answered
     * since {@code answeredSince} (a duplicate), or the inbox would hold more than {@code maxEntries}
     * entries or {@code maxBytes} bytes of text. One transaction; committed when this returns.
     */
    Saved save(String deferredId, InboxEntry.Kind kind, String sessionId, String channel, String messageId,
            boolean internal, String text, Instant receivedAt, Instant answeredSince, int maxEntries, long maxBytes)
            throws SQLException {
        int size = text.getBytes(StandardCharsets.UTF_8).length;
        return inTransaction(() -> {
            if (!messageId.isEmpty()) {
                Optional<String> first = duplicateOf(sessionId, messageId, answeredSince);
                if (first.isPresent()) {
                    return new Saved.Duplicate(first.get());
                }
            }
            long[] held = counts();
            if (held[0] + 1 > maxEntries) {
                return new Saved.Full("the inbox holds " + held[0] + " entries, the most quiesce.inbox.max-entries allows");
            }
            if (held[1] + size > maxBytes) {
                return new Saved.Full("the inbox holds " + held[1] + " bytes of text; this message's " + size
                        + " would pass quiesce.inbox.max-bytes (" + maxBytes + ")");
            }
            return new Saved.Stored(insert(deferredId, kind, sessionId, channel, messageId, internal, text, size,
                    receivedAt));
        });
    }

    /** A {@code resume} entry to record: a running turn a shutdown may cut off (SPEC §10). */
    record Resume(String deferredId, String sessionId, String channel, String messageId, String text) {}

    /**
     * Stores {@code resumes} as {@code resume} entries received at {@code at}, all in one transaction:
     * committed together when this returns, or none. Past the inbox's limits too (there are at most as
     * many as turns ran) and without the duplicate check: each is a message that was running, not saved.
     */
    List<InboxEntry> saveResumes(List<Resume> resumes, Instant at) throws SQLException {
        return inTransaction(() -> {
            List<InboxEntry> stored = new ArrayList<>(resumes.size());
            for (Resume resume : resumes) {
                stored.add(insert(resume.deferredId(), InboxEntry.Kind.RESUME, resume.sessionId(), resume.channel(),
                        resume.messageId(), false, resume.text(),
                        resume.text().getBytes(StandardCharsets.UTF_8).length, at));
            }
            return stored;
        });
    }

    private InboxEntry insert(String deferredId, InboxEntry.Kind kind, String sessionId, String channel,
            String messageId, boolean internal, String text, int size, Instant receivedAt) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO inbox_entry (deferred_id, kind, "
                + "session_id, channel, message_id, internal, text, size_bytes, received_at) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", Statement.RETURN_GENERATED_KEYS)) {
            insert.setString(1, deferredId);
            insert.setString(2, kind.wireName());
            insert.setString(3, sessionId);
            insert.setString(4, channel);
            insert.setString(5, messageId);
            insert.setInt(6, internal ? 1 : 0);
            insert.setString(7, text);
            insert.setInt(8, size);
            insert.setLong(9, InboxRows.micros(receivedAt));
            insert.executeUpdate();
            try (ResultSet keys = insert.getGeneratedKeys()) {
                keys.next();
                Instant at = receivedAt.truncatedTo(ChronoUnit.MICROS);
                return new InboxEntry(keys.getLong(1), deferredId, kind, sessionId, channel, messageId, internal,
                        text, at, 0);
            }
        }
    }

    /**
     * The next entry of each session that may run, oldest first: per session its {@code resume}
     * entry first, then arrival order; sessions in {@code busy} are skipped.
     */
    List<InboxEntry> heads(int limit, Collection<String> busy) throws SQLException {
        return inTransaction(() -> {
            List<InboxEntry> heads = new ArrayList<>();
            // A session's head: its (first) resume entry if it has one, else its oldest; sessions by their
            // head's age. One pass over the (session_id, seq) index, not a sort per row: a session may hold
            // thousands of entries.
            String sql = "SELECT * FROM inbox_entry WHERE seq IN (SELECT COALESCE(MIN(CASE WHEN kind = 'resume' "
                    + "THEN seq END), MIN(seq)) FROM inbox_entry GROUP BY session_id) ORDER BY seq";
            try (Statement query = connection.createStatement(); ResultSet rows = query.executeQuery(sql)) {
                while (rows.next() && heads.size() < limit) {
                    InboxEntry entry = InboxRows.entry(rows);
                    if (!busy.contains(entry.sessionId())) {
                        heads.add(entry);
                    }
                }
            }
            return heads;
        });
    }

    /** Counts a replay's start of {@code deferredId}; committed when this returns. */
    void startAttempt(String deferredId) throws SQLException {
        inTransaction(() -> update("UPDATE inbox_entry SET attempts = attempts + 1 WHERE deferred_id = ?", deferredId));
    }

    /**
     * Removes a replayed entry (answered, or its answer finally not delivered), remembering its message
     * id as answered at {@code at} for the dedup window. Committed when this returns; a no-op for an
     * entry that is gone.
     */
    void finish(InboxEntry entry, Instant at) throws SQLException {
        remove(entry, at, true);
    }

    /**
     * Removes an entry that was never run (expired), without remembering its message id: its chat was
     * told to send it again, and that is not a duplicate.
     */
    void drop(InboxEntry entry) throws SQLException {
        remove(entry, null, false);
    }

    private void remove(InboxEntry entry, Instant at, boolean remember) throws SQLException {
        inTransaction(() -> {
            int removed = update("DELETE FROM inbox_entry WHERE deferred_id = ?", entry.deferredId());
            if (remember && removed > 0 && !entry.messageId().isEmpty()) {
                answered.remember(entry, at);
            }
            return removed;
        });
    }

    /** Removes entries without remembering them (resume records whose turn ended in time). */
    int discard(Collection<String> deferredIds) throws SQLException {
        return inTransaction(() -> {
            int removed = 0;
            for (String id : deferredIds) {
                removed += update("DELETE FROM inbox_entry WHERE deferred_id = ?", id);
            }
            return removed;
        });
    }

    /** Entries of {@code kind} that arrived before {@code before}, oldest first. */
    List<InboxEntry> olderThan(InboxEntry.Kind kind, Instant before) throws SQLException {
        return inTransaction(() -> {
            try (PreparedStatement query = connection.prepareStatement(
                    "SELECT * FROM inbox_entry WHERE kind = ? AND received_at < ? ORDER BY seq")) {
                query.setString(1, kind.wireName());
                query.setLong(2, InboxRows.micros(before));
                return InboxRows.entries(query);
            }
        });
    }

    /** Up to {@code limit} entries after {@code afterSeq}, oldest first. */
    List<InboxEntry> page(long afterSeq, int limit) throws SQLException {
        return inTransaction(() -> {
            try (PreparedStatement query = connection.prepareStatement(
                    "SELECT * FROM inbox_entry WHERE seq > ? ORDER BY seq LIMIT ?")) {
                query.setLong(1, afterSeq);
                query.setInt(2, limit);
                return InboxRows.entries(query);
            }
        });
    }

    /**
     * How much waits: the number of entries, when the oldest arrived (null when none) and which sessions
     * have entries.
     */
    Summary summary() throws SQLException {
        return inTransaction(() -> {
            long[] held = counts();
            Instant oldest = null;
            try (Statement query = connection.createStatement();
                    ResultSet rows = query.executeQuery("SELECT MIN(received_at) FROM inbox_entry")) {
                if (rows.next() && rows.getObject(1) != null) {
                    oldest = InboxRows.instant(rows.getLong(1));
                }
            }
            List<String> sessions = new ArrayList<>();
            try (Statement query = connection.createStatement();
                    ResultSet rows = query.executeQuery("SELECT DISTINCT session_id FROM inbox_entry")) {
                while (rows.next()) {
                    sessions.add(rows.getString(1));
                }
            }
            return new Summary((int) held[0], held[1], oldest, List.copyOf(sessions));
        });
    }

    /** What {@link #summary} found. */
    record Summary(int waiting, long bytes, Instant oldestReceivedAt, List<String> sessions) {}

    /** Forgets answered message ids older than {@code before}. */
    void pruneAnswered(Instant before) throws SQLException {
        inTransaction(() -> answered.prune(before));
    }

    @Override
    public void close() throws SQLException {
        lock.lock();
        try {
            connection.close();
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- internals

    @FunctionalInterface
    private interface Work<T> {
        T run() throws SQLException;
    }

    /** Runs {@code work} as one transaction under the lock: committed, or rolled back when it throws. */
    private <T> T inTransaction(Work<T> work) throws SQLException {
        lock.lock();
        try {
            try {
                T result = work.run();
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                try {
                    connection.rollback();
                } catch (SQLException rollback) {
                    e.addSuppressed(rollback);
                }
                throw e;
            }
        } finally {
            lock.unlock();
        }
    }

    private Optional<String> duplicateOf(String sessionId, String messageId, Instant answeredSince) throws SQLException {
        try (PreparedStatement waiting = connection.prepareStatement(
                "SELECT deferred_id FROM inbox_entry WHERE session_id = ? AND message_id = ? ORDER BY seq LIMIT 1")) {
            waiting.setString(1, sessionId);
            waiting.setString(2, messageId);
            try (ResultSet rows = waiting.executeQuery()) {
                if (rows.next()) {
                    return Optional.of(rows.getString(1));
                }
            }
        }
        return answered.answeredSince(sessionId, messageId, answeredSince);
    }

    /** {entries, bytes of text} held now. */
    private long[] counts() throws SQLException {
        try (Statement query = connection.createStatement();
                ResultSet rows = query.executeQuery("SELECT COUNT(*), COALESCE(SUM(size_bytes), 0) FROM inbox_entry")) {
            rows.next();
            return new long[] {rows.getLong(1), rows.getLong(2)};
        }
    }

    private int update(String sql, String deferredId) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, deferredId);
            return statement.executeUpdate();
        }
    }
}
