package dev.quiesce.drain;

import dev.quiesce.home.IsoTimes;
import dev.quiesce.home.QuiesceHome;
import dev.quiesce.marker.DrainMarkerStore;
import dev.quiesce.marker.MarkerJudge;
import dev.quiesce.testing.LogRecorder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The marker watch when its home directory goes away and comes back. Ticks are called by hand. */
class MarkerWatcherTest {

    private static final String EPOCH = "boot-1:1000";

    @TempDir
    Path root;

    private Path home;
    private DrainStateBean state;
    private MarkerWatcher watcher;

    @BeforeEach
    void start() throws Exception {
        home = Files.createDirectory(root.resolve("home"));
        state = new DrainStateBean(new DrainMarkerStore(home), new MarkerJudge(EPOCH, Duration.ofHours(1)),
                Clock.systemUTC(), Duration.ofHours(1), Duration.ofHours(24), List.of());
        state.start();
        watcher = new MarkerWatcher(state, new QuiesceHome(home), Clock.systemUTC(), true);
        watcher.start();
    }

    @AfterEach
    void stop() {
        watcher.stop();
    }

    @Test
    void aHomeDeletedWhileAFileInItIsOpenStopsTheWatchOnTheNextTick() throws Exception {
        // An open file (the home lock's, in the app) keeps the OS from telling the watch its directory is gone.
        try (FileChannel open = FileChannel.open(home.resolve(".lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
                LogRecorder log = LogRecorder.expecting(MarkerWatcher.class)) {
            Files.delete(home.resolve(".lock"));
            Files.delete(home);
            watcher.tick();

            await().atMost(Duration.ofSeconds(10)).until(() -> !watcher.isAlive());
            assertThat(watcher.deathCause()).contains(home.toString(), "no longer watchable");
            assertThat(log.messages(Level.SEVERE)).as("the death, once").hasSize(1);
        }

        Files.createDirectory(home);
        watcher.tick();

        assertThat(watcher.isAlive()).isTrue();
    }

    @Test
    void aHomeReplacedByAnotherDirectoryIsWatchedAgainOnTheNextTicks() throws Exception {
        try (FileChannel open = FileChannel.open(home.resolve(".lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
                LogRecorder log = LogRecorder.expecting(MarkerWatcher.class)) {
            Files.delete(home.resolve(".lock"));
            Files.delete(home);
            Files.createDirectory(home);
            watcher.tick(); // retires the watch on the old directory (and may re-arm at once)
            // Each later tick re-arms it once the old thread has left (under load that can take a few).
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> {
                watcher.tick();
                return watcher.isAlive();
            });
            assertThat(log.messages(Level.SEVERE)).singleElement().asString().contains("no longer watchable");
        }

        Files.writeString(home.resolve(DrainMarkerStore.FILE_NAME), "{\"action\": \"drain\", \"requested_at\": \""
                + IsoTimes.format(Instant.now()) + "\", \"epoch\": \"" + EPOCH + "\"}");
        await("seen by the new watch, no tick needed").atMost(Duration.ofSeconds(10))
                .until(() -> state.current().phase() == Phase.DRAINING);
    }

    @Test
    void aWatchThatDiedWithItsHomeRunsAgainOnTheFirstTickAfterTheHomeIsBack() throws Exception {
        assertThat(watcher.isAlive()).isTrue();

        try (LogRecorder log = LogRecorder.expecting(MarkerWatcher.class)) {
            Files.delete(home);
            await().atMost(Duration.ofSeconds(10)).until(() -> !watcher.isAlive());
            watcher.tick();
            watcher.tick();

            assertThat(watcher.isAlive()).as("no home, no watch").isFalse();
            assertThat(watcher.deathCause()).contains(home.toString());
            assertThat(home).as("not re-created by the watcher").doesNotExist();
            assertThat(log.messages(Level.SEVERE)).as("the death, once").hasSize(1)
                    .allMatch(line -> line.contains("no longer watchable"));
        }

        Files.createDirectory(home);
        watcher.tick();

        assertThat(watcher.isAlive()).isTrue();
        Files.writeString(home.resolve(DrainMarkerStore.FILE_NAME), "{\"action\": \"drain\", \"requested_at\": \""
                + IsoTimes.format(Instant.now()) + "\", \"epoch\": \"" + EPOCH + "\"}");
        await("seen by the watch, no tick needed").atMost(Duration.ofSeconds(10))
                .until(() -> state.current().phase() == Phase.DRAINING);
    }

    @Test
    void aHomeDeletedWhileTheGatewayHoldsAFileInItOpenEndsTheWatchOnTheNextTick() throws Exception {
        // As HomeLock holds <home>/.lock: Linux then never tells the watch its directory was deleted.
        try (FileChannel lock = FileChannel.open(home.resolve(".lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE)) {
            try (LogRecorder log = LogRecorder.expecting(MarkerWatcher.class)) {
                Files.delete(home.resolve(".lock"));
                Files.delete(home);
                watcher.tick();

                await().atMost(Duration.ofSeconds(10)).until(() -> !watcher.isAlive());
                watcher.tick();
                assertThat(watcher.deathCause()).contains(home.toString(), "no longer watchable");
                assertThat(log.messages(Level.SEVERE)).as("the end, once").hasSize(1);
            }

            Files.createDirectory(home);
            watcher.tick();

            assertThat(watcher.isAlive()).isTrue();
        }
    }
}
