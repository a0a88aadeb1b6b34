package dev.quiesce.inbox;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/** The inbox's rows as values: an {@code inbox_entry} row as an {@link InboxEntry}, times as stored. Stateless. */
final class InboxRows {

    private InboxRows() {}

    /** Runs {@code query} and maps every row. */
    static List<InboxEntry> entries(PreparedStatement query) throws SQLException {
        List<InboxEntry> entries = new ArrayList<>();
        try (ResultSet rows = query.executeQuery()) {
            while (rows.next()) {
                entries.add(entry(rows));
            }
        }
        return entries;
    }

    /** The entry on the current row. */
    static InboxEntry entry(ResultSet row) throws SQLException {
        return new InboxEntry(row.getLong("seq"), row.getString("deferred_id"),
                InboxEntry.Kind.of(row.getString("kind")), row.getString("session_id"), row.getString("channel"),
                row.getString("message_id"), row.getInt("internal") != 0, row.getString("text"),
                instant(row.getLong("received_at")), row.getInt("attempts"));
    }

    /** Microseconds since 1970-01-01 UTC, as the inbox's tables keep times. */
    static long micros(Instant instant) {
        return ChronoUnit.MICROS.between(Instant.EPOCH, instant);
    }

    static Instant instant(long micros) {
        return Instant.EPOCH.plus(micros, ChronoUnit.MICROS);
    }
}
