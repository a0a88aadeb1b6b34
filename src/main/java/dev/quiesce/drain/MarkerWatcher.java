package dev.quiesce.drain;

import dev.quiesce.config.QuiesceConfig;
import dev.quiesce.home.LogOnce;
import dev.quiesce.home.QuiesceHome;
import dev.quiesce.marker.DrainMarkerStore;
import io.quarkus.logging.Log;
import io.quarkus.runtime.Startup;
import io.quarkus.scheduler.Scheduled;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Clock;
import java.time.Instant;

/**
 * Keeps the drain state in line with the marker file when another process writes or removes it:
 * a JDK {@link WatchService} on the home directory reacts at once, and a scheduler tick
 * ({@code quiesce.marker.poll-interval}) is the fallback for file systems that deliver no events
 * and for expiry by age.
 *
 * <p>Thread-safe. Neither path ever throws out: a failed reconcile is logged by the state bean
 * and the next event or tick tries again. If the watch thread dies, the tick carries on and
 * {@link #isAlive()} reports it so liveness goes DOWN.
 *
 * <p>The watch dies when the home directory is deleted: the watch thread sees its key go invalid,
 * or the tick sees the home gone first ({@link #endWhenHomeIsGone}). The tick starts it again once
 * the home is a directory again, so liveness recovers without a restart when an operator restores
 * the home. It
 * does not re-create the home itself: a home that vanishes while the gateway runs is an unmounted
 * volume or a mistake, and a drain acknowledged into a fresh directory nobody expects is a drain
 * that may not survive the restart an operator reaches for. Until it is back, BeginDrain and
 * CancelDrain answer UNAVAILABLE and liveness is DOWN; a restart creates the home (SPEC §2).
 */
@ApplicationScoped
@Startup
public class MarkerWatcher {

    private final DrainStateBean state;
    private final Path home;
    private final Clock clock;
    /** False only in the benchmark's reference-design runs ({@code quiesce.marker.watch-enabled}). */
    private final boolean watchEnabled;
    private volatile WatchService watchService;
    private volatile Thread watchThread;
    private volatile boolean stopping;
    /** Why the watch is not running, for liveness; empty before it first failed. */
    private volatile String deathCause = "";
    /** A watch that cannot be started is retried every tick: its cause is logged once. */
    private final LogOnce<String> startFailure = LogOnce.tracker();
    /** The watch service whose end was last logged, so the thread and the tick log one end once. */
    private final LogOnce<WatchService> ended = LogOnce.tracker();
    private volatile Instant lastTick;

    @Inject
    public MarkerWatcher(DrainStateBean state, QuiesceHome home, Clock clock, QuiesceConfig config) {
        this(state, home, clock, config.marker().watchEnabled());
    }

    MarkerWatcher(DrainStateBean state, QuiesceHome home, Clock clock, boolean watchEnabled) {
        this.state = state;
        this.home = home.path();
        this.clock = clock;
        this.watchEnabled = watchEnabled;
    }

    @PostConstruct
    void start() {
        lastTick = clock.instant();
        if (!watchEnabled) {
            Log.warn("Marker file-system watch turned off (quiesce.marker.watch-enabled=false, meant for the "
                    + "benchmark); a marker written by another process is seen on the poll tick only");
            return;
        }
        startWatch();
    }

    /**
     * Registers the home with a new watch service and starts the watch thread. Never throws; a
     * failure is logged once per distinct cause and kept in {@link #deathCause()}.
     */
    private synchronized boolean startWatch() {
        WatchService service = null;
        try {
            service = FileSystems.getDefault().newWatchService();
            home.register(service, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE,
                    StandardWatchEventKinds.ENTRY_MODIFY);
            WatchService registered = service;
            Thread thread = new Thread(() -> watchLoop(registered), "quiesce-marker-watch");
            thread.setDaemon(true);
            closeQuietly(watchService); // the dead one's, if any
            watchService = service;
            watchThread = thread;
            thread.start();
            startFailure.clear();
            return true;
        } catch (IOException | RuntimeException e) {
            closeQuietly(service);
            deathCause = "could not watch " + home + ": " + e;
            if (startFailure.isNew(deathCause)) {
                Log.errorf("Marker file-system watch unavailable (%s); relying on the poll tick", e.toString());
            }
            return false;
        }
    }

    /** Starts the watch again after it died, once the home is a directory again. */
    private void rearmWhenHomeIsBack() {
        if (stopping || !watchEnabled || isAlive() || !Files.isDirectory(home)) {
            return;
        }
        String cause = deathCause();
        if (startWatch()) {
            Log.infof("Marker file-system watch on %s running again (it had stopped: %s)", home, cause);
        }
    }

    @PreDestroy
    synchronized void stop() {
        stopping = true;
        closeQuietly(watchService);
    }

    /**
     * Ends a watch whose home is gone although the JDK still holds its key valid. Linux reports a
     * deleted directory to a watch (inotify's IN_DELETE_SELF, which invalidates the key) only once
     * nothing holds a file in it open, and the gateway holds {@code <home>/.lock} open for as long as
     * it runs ({@code home.HomeLock}): the watch thread alone never sees such a home go.
     */
    private synchronized void endWhenHomeIsGone() {
        WatchService service = watchService;
        if (stopping || !watchEnabled || !isAlive() || Files.isDirectory(home)) {
            return;
        }
        reportEnd(service);
        closeQuietly(service);
    }

    /** Records that the watch on {@code service} ended with the home, and logs it once per service. */
    private void reportEnd(WatchService service) {
        deathCause = "the home directory " + home + " is no longer watchable (deleted or replaced?)";
        if (ended.isNew(service)) {
            Log.errorf("Marker watch stopped: %s; relying on the poll tick", deathCause);
        }
    }

    /** The fallback reconcile; also judges expiry by age, and ends or re-arms the watch with its home. */
    @Scheduled(every = "{quiesce.marker.poll-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void tick() {
        lastTick = clock.instant();
        endWhenHomeIsGone();
        rearmWhenHomeIsBack();
        state.reconcile("tick");
    }

    /** True while the file-system watch thread runs, or when the watch was turned off by config. */
    public boolean isAlive() {
        if (!watchEnabled) {
            return true;
        }
        Thread thread = watchThread;
        return thread != null && thread.isAlive();
    }

    /** Why the watch is not running; empty while it is. */
    public String deathCause() {
        return isAlive() ? "" : deathCause.isEmpty() ? "watch thread not running" : deathCause;
    }

    /** When the poll tick last ran. */
    public Instant lastTick() {
        return lastTick;
    }

    private static void closeQuietly(WatchService service) {
        if (service != null) {
            try {
                service.close();
            } catch (IOException e) {
                // a dead or unused watch service; nothing to do
            }
        }
    }

    private void watchLoop(WatchService service) {
        String markerName = DrainMarkerStore.FILE_NAME;
        try {
            while (!stopping) {
                WatchKey key = service.take();
                boolean relevant = false;
                for (WatchEvent<?> event : key.pollEvents()) {
                    if (event.kind() == StandardWatchEventKinds.OVERFLOW
                            || markerName.equals(String.valueOf(event.context()))) {
                        relevant = true;
                    }
                }
                if (relevant) {
                    state.reconcile("fs-watch");
                }
                if (!key.reset()) {
                    reportEnd(service);
                    return;
                }
            }
        } catch (ClosedWatchServiceException | InterruptedException e) {
            if (!stopping && ended.current() != service) {
                deathCause = "watch closed: " + e;
            }
        } catch (RuntimeException e) {
            deathCause = "watch thread failed: " + e;
            Log.errorf(e, "Marker watch thread failed; relying on the poll tick");
        }
    }
}
