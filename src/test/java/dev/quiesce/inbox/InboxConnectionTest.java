package dev.quiesce.inbox;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.Comparator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteDataSource;

import static org.assertj.core.api.Assertions.assertThat;

class InboxConnectionTest {

    private static final Pattern MIGRATION = Pattern.compile("V(\\d+)__.*\\.sql");

    @Test
    void theSchemaVersionIsTheNewestMigrations() throws Exception {
        try (Stream<Path> files = Files.list(Path.of("src", "main", "resources", "db", "inbox"))) {
            int newest = files.map(f -> MIGRATION.matcher(f.getFileName().toString())).filter(Matcher::matches)
                    .map(m -> Integer.parseInt(m.group(1))).max(Comparator.naturalOrder()).orElseThrow();
            assertThat(InboxConnection.SCHEMA_VERSION).isEqualTo(String.valueOf(newest));
        }
    }

    @Test
    void onlyADatabaseFlywayBroughtToTheSchemaVersionSkipsFlyway(@TempDir Path dir) throws Exception {
        Path file = Files.createFile(dir.resolve("inbox.db"));
        SQLiteDataSource source = new SQLiteDataSource();
        source.setUrl("jdbc:sqlite:" + file);
        assertThat(InboxConnection.atSchemaVersion(source)).as("a new file").isFalse();

        try (Connection migrated = InboxConnection.open(file)) {
            assertThat(InboxConnection.atSchemaVersion(source)).as("after the migration").isTrue();
        }
        try (Connection again = InboxConnection.open(file)) {
            again.createStatement().executeQuery("SELECT count(*) FROM inbox_entry").close();
        }

        Path notADatabase = Files.writeString(dir.resolve("other.db"), "not a database");
        SQLiteDataSource other = new SQLiteDataSource();
        other.setUrl("jdbc:sqlite:" + notADatabase);
        assertThat(InboxConnection.atSchemaVersion(other)).as("a file that is no database").isFalse();
    }
}
