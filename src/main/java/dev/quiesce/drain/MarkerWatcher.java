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
import java.nio.file.attribute.BasicFileAttributes;
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
 * <p>The watch dies when the home directory is deleted. The OS does not always say so: while a file in
 * the home is open (the {@code HomeLock}'s {@code .lock} always is) a deleted directory's watch
 * receives no event and its key stays valid, so the watch would wait forever on a directory that is
 * gone. The tick therefore also compares the home with the directory the watch was set on (its file
 * key, the inode) and retires a watch whose home is gone or was replaced. It starts the watch again
 * once the home is a directory again, so liveness recovers without a restart when an operator restores the home. It
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
    /** The file key (inode) of the directory the running watch was set on; null when unknown. */
    private volatile Object watchedDirectory;
    private volatile Thread watchThread;
    private volatile boolean stopping;
    /** Why the watch is not running, for liveness; empty before it first failed. */
    private volatile String deathCause = "";
    /** A watch that cannot be started is retried every tick: its cause is logged once. */
    private final LogOnce<String> startFailure = LogOnce.tracker();
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
            Object directory = fileKey();
            home.register(service, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE,
                    StandardWatchEventKinds.ENTRY_MODIFY);
            WatchService registered = service;
            Thread thread = new Thread(() -> watchLoop(registered), "quiesce-marker-watch");
            thread.setDaemon(true);
            closeQuietly(watchService); // the dead one's, if any
            watchService = service;
            watchedDirectory = directory;
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

    /**
     * Retires a running watch whose home is gone or is another directory now: its thread would never
     * see a change again (see the class comment). Its cause is logged once, as a watch that died is.
     */
    private synchronized void retireWhenHomeIsGone() {
        if (stopping || !watchEnabled || !isAlive() || watchService == null) {
            return; // nothing running, or retired already and its thread still leaving
        }
        Object now = fileKey();
        if (now != null && now.equals(watchedDirectory)) {
            return;
        }
        homeUnwatchable();
        WatchService retired = watchService;
        watchService = null; // so the thread, leaving on the close, keeps this cause
        closeQuietly(retired);
    }

    /**
     * The watch thread found its directory gone (the kernel said so). Logged unless a tick's
     * {@link #retireWhenHomeIsGone} retired this watch first and said so already: the two race.
     */
    private synchronized void unwatchable(WatchService service) {
        if (!stopping && service == watchService) {
            homeUnwatchable();
            watchService = null; // retired: a tick that follows finds nothing to retire
            closeQuietly(service);
        }
    }

    /** The watch can no longer see the home: the cause, for liveness, and its one log line. */
    private void homeUnwatchable() {
        deathCause = "the home directory " + home + " is no longer watchable (deleted or replaced?)";
        Log.errorf("Marker watch stopped: %s; relying on the poll tick", deathCause);
    }

    /** The home's file key (its inode), or null when it is no directory or cannot be read. */
    private Object fileKey() {
        try {
            BasicFileAttributes attributes = Files.readAttributes(home, BasicFileAttributes.class);
            return attributes.isDirectory() ? attributes.fileKey() : null;
        } catch (IOException | RuntimeException e) {
            return null;
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

    /** The fallback reconcile; also judges expiry by age, and re-arms a watch that died. */
    @Scheduled(every = "{quiesce.marker.poll-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void tick() {
        lastTick = clock.instant();
        retireWhenHomeIsGone();
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
                    unwatchable(service);
                    return;
                }
            }
        } catch (ClosedWatchServiceException | InterruptedException e) {
            if (!stopping && service == watchService) { // not closed by retireWhenHomeIsGone, which said why
                deathCause = "watch closed: " + e;
            }
        } catch (RuntimeException e) {
            deathCause = "watch thread failed: " + e;
            Log.errorf(e, "Marker watch thread failed; relying on the poll tick");
        }
    }
}
