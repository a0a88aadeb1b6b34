package dev.quiesce.inbox;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;

/** Writes an inbox.db into a home before the application starts, as a previous instantiation left it. */
final class SavedInbox {

    private SavedInbox() {}

    /**
     * Saves one entry per {@code sessionAndText} pair ({@code session, text, session, text...}), in that
     * order, with deferred_ids {@code m-before-1}, {@code m-before-2}... and channels {@link Chats#channel}.
     */
    static void write(Path home, String... sessionAndText) throws IOException {
        InboxFile.Opened opened = new InboxFile(home, Clock.systemUTC()).open();
        if (!(opened instanceof InboxFile.Opened.Ready ready)) {
            throw new IOException("cannot prepare " + home + ": " + opened);
        }
        try (InboxStore store = ready.store()) {
            for (int i = 0; i < sessionAndText.length; i += 2) {
                Instant now = Instant.now();
                store.save("m-before-" + (i / 2 + 1), InboxEntry.Kind.DEFERRED, sessionAndText[i],
                        Chats.channel(sessionAndText[i]), "", false, sessionAndText[i + 1], now, now, 100, 1 << 20);
            }
        } catch (SQLException e) {
            throw new IOException(e);
        }
    }
}
