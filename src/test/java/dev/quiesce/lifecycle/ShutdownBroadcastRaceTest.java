package dev.quiesce.lifecycle;

import dev.quiesce.drain.BeginDrainCommand;
import dev.quiesce.drain.DrainAuditLog;
import dev.quiesce.drain.DrainRefusedException;
import dev.quiesce.drain.DrainSnapshot;
import dev.quiesce.drain.DrainStateBean;
import dev.quiesce.drain.Phase;
import dev.quiesce.drain.StatusFileWriter;
import dev.quiesce.home.QuiesceHome;
import dev.quiesce.marker.DrainMarkerStore;
import dev.quiesce.marker.MarkerJudge;
import dev.quiesce.notify.Notification;
import dev.quiesce.notify.NotificationSink;
import dev.quiesce.notify.PlainNotifier;
import dev.quiesce.notify.ShutdownNotifier;
import dev.quiesce.pipeline.EchoTurnHandler;
import dev.quiesce.pipeline.MessagePipeline;
import dev.quiesce.testing.PausedDisk;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The whole shutdown sequence against a control call stuck in a slow marker write: the home broadcast
 * follows what the callers were told, not a refused request's file. Real marker files, a real
 * notifier with a recording sink, the echo handler.
 */
class ShutdownBroadcastRaceTest {

    private static final String HOME_CHANNEL = "ops";

    @TempDir
    Path home;

    private final PausedDisk disk = new PausedDisk();
    private final List<Notification> sent = new CopyOnWriteArrayList<>();
    private DrainStateBean state;
    private ShutdownSequence shutdown;

    @BeforeEach
    void setUp() {
        Clock clock = Clock.systemUTC();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        state = new DrainStateBean(new DrainMarkerStore(home, disk), new MarkerJudge("boot-1:1000", Duration.ofHours(1)),
                clock, Duration.ofHours(1), Duration.ofHours(24), List.of());
        state.start();
        NotificationSink sink = (notification, deadline) -> sent.add(notification);
        ShutdownNotifier notifier = PlainNotifier.of(sink, home, Optional.of(HOME_CHANNEL), Duration.ofMinutes(10),
                Duration.ofSeconds(5), clock, registry);
        QuiesceHome quiesceHome = new QuiesceHome(home);
        shutdown = new ShutdownSequence(state, new MessagePipeline(state, new EchoTurnHandler(Duration.ZERO), registry),
                null, notifier, new StatusFileWriter(quiesceHome, clock), new DrainAuditLog(quiesceHome), clock,
                Duration.ofSeconds(5), Duration.ofSeconds(5), registry);
    }

    private boolean broadcastSent() {
        return sent.stream().anyMatch(n -> n.kind() == Notification.Kind.HOME_SHUTDOWN);
    }

    @Test
    void aSuppressingBeginDrainRefusedByTheShutdownDoesNotSilenceTheHomeBroadcast() throws Exception {
        state.beginDrain(new BeginDrainCommand("alice", "update", false, Duration.ZERO));
        String told = Files.readString(home.resolve(DrainMarkerStore.FILE_NAME));

        disk.armNext();
        CompletableFuture<DrainSnapshot> quiet = CompletableFuture.supplyAsync(
                () -> state.beginDrain(new BeginDrainCommand("alice", "quiet please", true, Duration.ZERO)));
        disk.awaitPaused(); // its suppress_notification=true is on disk, its answer not yet given
        CompletableFuture<Void> sigterm = CompletableFuture.runAsync(shutdown::run);
        await().atMost(Duration.ofSeconds(5)).until(() -> state.current().phase() == Phase.STOPPING);
        disk.release();

        sigterm.get(15, TimeUnit.SECONDS);
        assertThatThrownBy(() -> quiet.get(5, TimeUnit.SECONDS)).cause().isInstanceOf(DrainRefusedException.class);
        assertThat(broadcastSent()).as("the caller was told its quiet drain was refused").isTrue();
        assertThat(Files.readString(home.resolve(DrainMarkerStore.FILE_NAME))).isEqualTo(told);
        assertThat(state.current().phase()).isEqualTo(Phase.STOPPED);
    }

    @Test
    void aCancelDrainRefusedByTheShutdownKeepsTheDrainsSuppression() throws Exception {
        state.beginDrain(new BeginDrainCommand("alice", "update", true, Duration.ZERO));

        disk.armNext();
        CompletableFuture<DrainSnapshot> cancel = CompletableFuture.supplyAsync(() -> state.cancelDrain("bob", ""));
        disk.awaitPaused(); // the marker is removed, the cancel not yet answered
        CompletableFuture<Void> sigterm = CompletableFuture.runAsync(shutdown::run);
        await().atMost(Duration.ofSeconds(5)).until(() -> state.current().phase() == Phase.STOPPING);
        disk.release();

        sigterm.get(15, TimeUnit.SECONDS);
        assertThatThrownBy(() -> cancel.get(5, TimeUnit.SECONDS)).cause().isInstanceOf(DrainRefusedException.class);
        assertThat(broadcastSent()).as("the drain that asked for quiet is still on, as bob was told").isFalse();
        assertThat(home.resolve(DrainMarkerStore.FILE_NAME)).exists();
    }

    @Test
    void aControlCallStuckOnTheDiskDoesNotHoldUpTheExitAndTheBroadcastIsSent() throws Exception {
        state.beginDrain(new BeginDrainCommand("alice", "update", true, Duration.ZERO));
        disk.armNext();
        CompletableFuture<DrainSnapshot> renew = CompletableFuture.supplyAsync(
                () -> state.beginDrain(new BeginDrainCommand("alice", "renew", true, Duration.ZERO)));
        disk.awaitPaused();

        // The renewal does not come back from the disk while the shutdown runs: the shutdown ends anyway.
        CompletableFuture.runAsync(shutdown::run).get(15, TimeUnit.SECONDS);

        assertThat(state.current().phase()).isEqualTo(Phase.STOPPED);
        assertThat(broadcastSent()).as("a doubtful suppression notifies").isTrue();
        disk.release();
        assertThatThrownBy(() -> renew.get(5, TimeUnit.SECONDS)).cause().isInstanceOf(DrainRefusedException.class);
    }
}
