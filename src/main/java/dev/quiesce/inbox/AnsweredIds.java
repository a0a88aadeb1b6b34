package dev.quiesce.inbox;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;

/**
 * The {@code inbox_replayed} table: message ids answered lately, so a platform's retry of a message
 * already answered is recognised for {@code quiesce.inbox.dedup-window} (SPEC §9 Duplicates). Works
 * inside the caller's transaction, on its connection; not thread-safe on its own ({@link InboxStore}
 * calls it under its lock).
 */
final class AnsweredIds {

    private final Connection connection;

    AnsweredIds(Connection connection) {
        this.connection = connection;
    }

    /** Remembers {@code entry}'s message id as answered at {@code at}. */
    void remember(InboxEntry entry, Instant at) throws SQLException {
        try (PreparedStatement answered = connection.prepareStatement("INSERT OR REPLACE INTO inbox_replayed "
                + "(session_id, message_id, deferred_id, replayed_at) VALUES (?, ?, ?, ?)")) {
            answered.setString(1, entry.sessionId());
            answered.setString(2, entry.messageId());
            answered.setString(3, entry.deferredId());
            answered.setLong(4, InboxRows.micros(at));
            answered.executeUpdate();
        }
    }

    /** The deferred_id of the message {@code messageId} of {@code sessionId} answered since {@code since}. */
    Optional<String> answeredSince(String sessionId, String messageId, Instant since) throws SQLException {
        try (PreparedStatement answered = connection.prepareStatement("SELECT deferred_id FROM inbox_replayed "
                + "WHERE session_id = ? AND message_id = ? AND replayed_at >= ?")) {
            answered.setString(1, sessionId);
            answered.setString(2, messageId);
            answered.setLong(3, InboxRows.micros(since));
            try (ResultSet rows = answered.executeQuery()) {
                return rows.next() ? Optional.of(rows.getString(1)) : Optional.empty();
            }
        }
    }

    /** Forgets what was answered before {@code before}. */
    int prune(Instant before) throws SQLException {
        try (PreparedStatement delete =
                connection.prepareStatement("DELETE FROM inbox_replayed WHERE replayed_at < ?")) {
            delete.setLong(1, InboxRows.micros(before));
            return delete.executeUpdate();
        }
    }
}
