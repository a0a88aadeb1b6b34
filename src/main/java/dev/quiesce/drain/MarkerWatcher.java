package dev.quiesce.drain;

import dev.quiesce.config.QuiesceConfig;
import dev.quiesce.marker.DrainMarkerStore;
import dev.quiesce.marker.QuiesceHome;
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
    private volatile String deathCause = "";
    private volatile Instant lastTick;

    @Inject
    public MarkerWatcher(DrainStateBean state, QuiesceHome home, Clock clock, QuiesceConfig config) {
        this.state = state;
        this.home = home.path();
        this.clock = clock;
        this.watchEnabled = config.marker().watchEnabled();
    }

    @PostConstruct
    void start() {
        lastTick = clock.instant();
        if (!watchEnabled) {
            Log.warn("Marker file-system watch turned off (quiesce.marker.watch-enabled=false, meant for the "
                    + "benchmark); a marker written by another process is seen on the poll tick only");
            return;
        }
        try {
            WatchService service = FileSystems.getDefault().newWatchService();
            home.register(service, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE,
                    StandardWatchEventKinds.ENTRY_MODIFY);
            watchService = service;
            Thread thread = new Thread(() -> watchLoop(service), "quiesce-marker-watch");
            thread.setDaemon(true);
            watchThread = thread;
            thread.start();
        } catch (IOException | RuntimeException e) {
            deathCause = "could not watch " + home + ": " + e;
            Log.errorf("Marker file-system watch unavailable (%s); relying on the poll tick", e.toString());
        }
    }

    @PreDestroy
    void stop() {
        stopping = true;
        WatchService service = watchService;
        if (service != null) {
            try {
                service.close();
            } catch (IOException e) {
                // closing on the way out; nothing to do
            }
        }
    }

    /** The fallback reconcile; also judges expiry by age. */
    @Scheduled(every = "{quiesce.marker.poll-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void tick() {
        lastTick = clock.instant();
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
                    deathCause = "the home directory " + home + " is no longer watchable (deleted or replaced?)";
                    Log.errorf("Marker watch stopped: %s; relying on the poll tick", deathCause);
                    return;
                }
            }
        } catch (ClosedWatchServiceException | InterruptedException e) {
            if (!stopping) {
                deathCause = "watch closed: " + e;
            }
        } catch (RuntimeException e) {
            deathCause = "watch thread failed: " + e;
            Log.errorf(e, "Marker watch thread failed; relying on the poll tick");
        }
    }
}
