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
import java.util.Collections;
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
 * is one transaction, however many entries it touches: a batch commits with one fsync). Thread-safe.
 */
final class InboxStore implements AutoCloseable {

    /** Guarded by {@link #lock}, as is {@link #answered} (which works on it). */
    private final Connection connection;
    private final AnsweredIds answered;
    /** Guards {@link #connection} and the counts: SQLite has one writer, and so has this store. */
    private final ReentrantLock lock = new ReentrantLock();
    /**
     * Guarded by {@link #lock}: the entries and bytes of text held, as committed plus what the open
     * transaction changed; put back when it rolls back. Counted once at open, so a save does not scan
     * the table (a {@code COUNT(*)} per save costs O(entries)).
     */
    private long entries;
    private long bytes;

    private InboxStore(Connection connection) throws SQLException {
        this.connection = connection;
        this.answered = new AnsweredIds(connection);
        inTransaction(() -> {
            try (Statement query = connection.createStatement(); ResultSet rows = query.executeQuery(
                    "SELECT COUNT(*), COALESCE(SUM(size_bytes), 0) FROM inbox_entry")) {
                rows.next();
                entries = rows.getLong(1);
                bytes = rows.getLong(2);
            }
            return null;
        });
    }

    /**
     * Opens the database at {@code file} ({@link InboxConnection#open}).
     *
     * @throws SQLException when it cannot be opened, migrated, read or written, or is corrupt
     */
    static InboxStore open(Path file) throws SQLException {
        Connection connection = InboxConnection.open(file);
        try {
            return new InboxStore(connection);
        } catch (SQLException e) {
            connection.close();
            throw e;
        }
    }

    /** A message to store ({@link #saveAll}); its size is its text's UTF-8 bytes. */
    record NewEntry(String deferredId, InboxEntry.Kind kind, String sessionId, String channel, String messageId,
            boolean internal, String text, Instant receivedAt) {}

    /**
     * What {@link #saveAll} holds each message to: a message id answered since {@code answeredSince} is a
     * duplicate; the inbox holds at most {@code maxEntries} entries and {@code maxBytes} bytes of text.
     */
    record Limits(Instant answeredSince, int maxEntries, long maxBytes) {}

    /** A change the replay makes ({@link #apply}). */
    sealed interface Change {
        InboxEntry entry();

        /** A replay started it: its attempts go up by one. */
        record Started(InboxEntry entry) implements Change {}

        /** Answered (or its answer finally not delivered): removed, its message id remembered as of {@code at}. */
        record Finished(InboxEntry entry, Instant at) implements Change {}

        /** Never run (expired): removed without remembering its message id (its chat was told to send it again). */
        record Dropped(InboxEntry entry) implements Change {}
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
        return saveAll(List.of(new NewEntry(deferredId, kind, sessionId, channel, messageId, internal, text,
                receivedAt)), new Limits(answeredSince, maxEntries, maxBytes)).get(0);
    }

    /**
     * Stores {@code batch} in arrival order, in ONE transaction (group commit: one fsync for all), each
     * judged as {@link #save} judges one, against what the entries before it in the batch left: a
     * message id stored earlier in the batch is a duplicate, and the limits count the batch's entries.
     * Committed when this returns; when it throws, nothing of the batch is stored.
     *
     * @return one verdict per message, in the batch's order
     */
    List<Saved> saveAll(List<NewEntry> batch, Limits limits) throws SQLException {
        return inTransaction(() -> {
            List<Saved> verdicts = new ArrayList<>(batch.size());
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO inbox_entry (deferred_id, kind, "
                    + "session_id, channel, message_id, internal, text, size_bytes, received_at) "
                    + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", Statement.RETURN_GENERATED_KEYS)) {
                for (NewEntry entry : batch) {
                    verdicts.add(saveOne(insert, entry, limits));
                }
            }
            return verdicts;
        });
    }

    private Saved saveOne(PreparedStatement insert, NewEntry entry, Limits limits) throws SQLException {
        if (!entry.messageId().isEmpty()) {
            Optional<String> first = duplicateOf(entry.sessionId(), entry.messageId(), limits.answeredSince());
            if (first.isPresent()) {
                return new Saved.Duplicate(first.get());
            }
        }
        int size = entry.text().getBytes(StandardCharsets.UTF_8).length;
        if (entries + 1 > limits.maxEntries()) {
            return new Saved.Full("the inbox holds " + entries + " entries, the most quiesce.inbox.max-entries allows");
        }
        if (bytes + size > limits.maxBytes()) {
            return new Saved.Full("the inbox holds " + bytes + " bytes of text; this message's " + size
                    + " would pass quiesce.inbox.max-bytes (" + limits.maxBytes() + ")");
        }
        return new Saved.Stored(insertOne(insert, entry, size));
    }

    /** Inserts {@code entry} ({@code size} bytes of text) with {@code insert}, counted. */
    private InboxEntry insertOne(PreparedStatement insert, NewEntry entry, int size) throws SQLException {
        insert.setString(1, entry.deferredId());
        insert.setString(2, entry.kind().wireName());
        insert.setString(3, entry.sessionId());
        insert.setString(4, entry.channel());
        insert.setString(5, entry.messageId());
        insert.setInt(6, entry.internal() ? 1 : 0);
        insert.setString(7, entry.text());
        insert.setInt(8, size);
        insert.setLong(9, InboxRows.micros(entry.receivedAt()));
        insert.executeUpdate();
        entries++;
        bytes += size;
        try (ResultSet keys = insert.getGeneratedKeys()) {
            keys.next();
            Instant at = entry.receivedAt().truncatedTo(ChronoUnit.MICROS);
            return new InboxEntry(keys.getLong(1), entry.deferredId(), entry.kind(), entry.sessionId(),
                    entry.channel(), entry.messageId(), entry.internal(), entry.text(), at, 0);
        }
    }

    /**
     * The entries at {@code seqs} that are still stored, oldest first, with their texts (which of them
     * to run comes from the {@link InboxIndex}, in memory). Reads only: no fsync.
     */
    List<InboxEntry> entries(Collection<Long> seqs) throws SQLException {
        if (seqs.isEmpty()) {
            return List.of();
        }
        return inTransaction(() -> {
            String marks = String.join(", ", Collections.nCopies(seqs.size(), "?"));
            try (PreparedStatement query = connection.prepareStatement(
                    "SELECT * FROM inbox_entry WHERE seq IN (" + marks + ") ORDER BY seq")) {
                int i = 1;
                for (long seq : seqs) {
                    query.setLong(i++, seq);
                }
                return InboxRows.entries(query);
            }
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
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO inbox_entry (deferred_id, kind, "
                    + "session_id, channel, message_id, internal, text, size_bytes, received_at) "
                    + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", Statement.RETURN_GENERATED_KEYS)) {
                for (Resume resume : resumes) {
                    NewEntry entry = new NewEntry(resume.deferredId(), InboxEntry.Kind.RESUME, resume.sessionId(),
                            resume.channel(), resume.messageId(), false, resume.text(), at);
                    stored.add(insertOne(insert, entry, entry.text().getBytes(StandardCharsets.UTF_8).length));
                }
            }
            return stored;
        });
    }

    /**
     * Makes the replay's {@code changes} in ONE transaction (group commit), in order; a change to an entry
     * that is gone is a no-op. Committed when this returns; when it throws, none of them is made.
     *
     * @return how many entries were removed
     */
    int apply(List<? extends Change> changes) throws SQLException {
        return inTransaction(() -> {
            int removed = 0;
            try (PreparedStatement attempt = connection.prepareStatement(
                    "UPDATE inbox_entry SET attempts = attempts + 1 WHERE deferred_id = ?")) {
                for (Change change : changes) {
                    if (change instanceof Change.Started) {
                        attempt.setString(1, change.entry().deferredId());
                        attempt.executeUpdate();
                    } else if (delete(change.entry().deferredId())) {
                        removed++;
                        if (change instanceof Change.Finished finished && !finished.entry().messageId().isEmpty()) {
                            answered.remember(finished.entry(), finished.at());
                        }
                    }
                }
            }
            return removed;
        });
    }

    /** Counts a replay's start of {@code entry}; committed when this returns. */
    void startAttempt(InboxEntry entry) throws SQLException {
        apply(List.of(new Change.Started(entry)));
    }

    /**
     * Removes a replayed entry (answered, or its answer finally not delivered), remembering its message
     * id as answered at {@code at} for the dedup window. Committed when this returns; a no-op for an
     * entry that is gone.
     */
    void finish(InboxEntry entry, Instant at) throws SQLException {
        apply(List.of(new Change.Finished(entry, at)));
    }

    /**
     * Removes an entry that was never run (expired), without remembering its message id: its chat was
     * told to send it again, and that is not a duplicate.
     */
    void drop(InboxEntry entry) throws SQLException {
        apply(List.of(new Change.Dropped(entry)));
    }

    /** Removes entries without remembering them (resume records whose turn ended in time). */
    int discard(Collection<String> deferredIds) throws SQLException {
        return inTransaction(() -> {
            int removed = 0;
            for (String id : deferredIds) {
                removed += delete(id) ? 1 : 0;
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
            return new Summary((int) entries, bytes, oldest, List.copyOf(sessions));
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
        long entriesBefore = entries;
        long bytesBefore = bytes;
        try {
            try {
                T result = work.run();
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                entries = entriesBefore;
                bytes = bytesBefore;
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

    /** Deletes the entry {@code deferredId}, counted. @return false when it is gone already */
    private boolean delete(String deferredId) throws SQLException {
        try (PreparedStatement delete = connection.prepareStatement(
                "DELETE FROM inbox_entry WHERE deferred_id = ? RETURNING size_bytes")) {
            delete.setString(1, deferredId);
            try (ResultSet rows = delete.executeQuery()) {
                if (!rows.next()) {
                    return false;
                }
                entries--;
                bytes -= rows.getLong(1);
                return true;
            }
        }
    }
}
