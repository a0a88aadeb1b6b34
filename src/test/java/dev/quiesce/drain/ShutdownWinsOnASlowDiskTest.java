package dev.quiesce.drain;

import dev.quiesce.marker.DrainMarkerStore;
import dev.quiesce.marker.MarkerJudge;
import dev.quiesce.testing.PausedDisk;
import dev.quiesce.testing.SettableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Issue 16's two shutdown races, pinned with a disk whose marker write or removal does not return
 * until the test lets it (after the file operation itself has completed, as with a slow fsync): a
 * control call in that window while SIGTERM arrives must neither leave STOPPING nor leave its change
 * on disk. Before the fix, {@code enterStopping} gave up waiting for the call after 2 s, and the call
 * then set RUNNING (CancelDrain) or left the refused request's marker behind (BeginDrain).
 */
class ShutdownWinsOnASlowDiskTest {

    private static final String EPOCH = "boot-1:1000";

    @TempDir
    Path home;

    private final SettableClock clock = new SettableClock(Instant.parse("2026-11-23T10:00:00Z"));
    private final PausedDisk disk = new PausedDisk();
    private final List<DrainSnapshot> seen = new CopyOnWriteArrayList<>();
    private DrainStateBean bean;

    @BeforeEach
    void setUp() {
        DrainListener recorder = new DrainListener() {
            @Override
            public void onChange(DrainSnapshot snapshot) {
                seen.add(snapshot);
            }
        };
        bean = new DrainStateBean(new DrainMarkerStore(home, disk), new MarkerJudge(EPOCH, Duration.ofHours(1)),
                clock, Duration.ofHours(1), Duration.ofHours(24), List.of(recorder));
        bean.start();
    }

    private Path marker() {
        return home.resolve(DrainMarkerStore.FILE_NAME);
    }

    @Test
    void aCancelDrainWhoseRemovalOutlastsTheStartOfAShutdownIsRefusedAndPutsTheMarkerBack() throws Exception {
        bean.beginDrain(new BeginDrainCommand("alice", "update", true, Duration.ZERO));
        String before = Files.readString(marker());

        disk.armNext();
        CompletableFuture<DrainSnapshot> cancel = CompletableFuture.supplyAsync(() -> bean.cancelDrain("bob", ""));
        disk.awaitPaused(); // the marker is gone from disk; the call has not returned
        assertThat(bean.enterStopping().phase()).isEqualTo(Phase.STOPPING);
        disk.release();

        assertThatThrownBy(() -> cancel.get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(DrainRefusedException.class)
                .hasMessageContaining("STOPPING")
                .extracting(e -> ((DrainRefusedException) e).reason())
                .isEqualTo(DrainRefusedException.Reason.SHUTTING_DOWN);
        assertThat(bean.current().phase()).isEqualTo(Phase.STOPPING);
        assertThat(seen.stream().dropWhile(s -> s.phase() != Phase.STOPPING).map(DrainSnapshot::phase))
                .as("no version after STOPPING left it")
                .isNotEmpty()
                .containsOnly(Phase.STOPPING);
        assertThat(Files.readString(marker())).as("the removed marker is written back as it was").isEqualTo(before);
        assertThat(bean.markerAtExit(Duration.ofSeconds(2)).suppressesNotification()).isTrue();
    }

    @Test
    void aBeginDrainWhoseWriteOutlastsTheStartOfAShutdownIsRefusedAndLeavesTheMarkerBytesAsTheyWere()
            throws Exception {
        bean.beginDrain(new BeginDrainCommand("alice", "update", false, Duration.ZERO));
        String before = Files.readString(marker());

        disk.armNext();
        CompletableFuture<DrainSnapshot> renew = CompletableFuture.supplyAsync(
                () -> bean.beginDrain(new BeginDrainCommand("mallory", "refused", true, Duration.ZERO)));
        disk.awaitPaused(); // the refused request's marker is on disk; the call has not returned
        assertThat(bean.enterStopping().phase()).isEqualTo(Phase.STOPPING);
        disk.release();

        assertThatThrownBy(() -> renew.get(10, TimeUnit.SECONDS))
                .cause().isInstanceOf(DrainRefusedException.class)
                .extracting(e -> ((DrainRefusedException) e).reason())
                .isEqualTo(DrainRefusedException.Reason.SHUTTING_DOWN);
        assertThat(bean.current().phase()).isEqualTo(Phase.STOPPING);
        assertThat(bean.current().drain().reason()).isEqualTo("update");
        assertThat(Files.readString(marker())).isEqualTo(before);
        assertThat(bean.markerAtExit(Duration.ofSeconds(2)).suppressesNotification())
                .as("the refused request's suppress_notification does not count").isFalse();
    }

    @Test
    void aFirstBeginDrainRefusedByAShutdownLeavesNoMarkerBehind() throws Exception {
        disk.armNext();
        CompletableFuture<DrainSnapshot> begin = CompletableFuture.supplyAsync(
                () -> bean.beginDrain(new BeginDrainCommand("alice", "late", true, Duration.ZERO)));
        disk.awaitPaused();
        bean.enterStopping();
        disk.release();

        assertThatThrownBy(() -> begin.get(10, TimeUnit.SECONDS)).cause().isInstanceOf(DrainRefusedException.class);
        assertThat(marker()).doesNotExist();
        assertThat(bean.current().drain()).isNull();
    }

    @Test
    void whileAControlCallHoldsTheMarkerPastTheWaitTheExitReadingDoesNotSuppress() throws Exception {
        bean.beginDrain(new BeginDrainCommand("alice", "update", true, Duration.ZERO));
        disk.armNext();
        CompletableFuture<DrainSnapshot> renew = CompletableFuture.supplyAsync(
                () -> bean.beginDrain(new BeginDrainCommand("alice", "again", true, Duration.ZERO)));
        disk.awaitPaused();
        bean.enterStopping();

        // The marker on disk asks for quiet, but a call is still changing it: a doubtful suppression notifies.
        assertThat(bean.markerAtExit(Duration.ofMillis(200)).suppressesNotification()).isFalse();

        disk.release();
        assertThatThrownBy(() -> renew.get(10, TimeUnit.SECONDS)).cause().isInstanceOf(DrainRefusedException.class);
        assertThat(bean.current().phase()).isEqualTo(Phase.STOPPING);
    }
}
