package dev.quiesce.api.grpc;

import dev.quiesce.api.DrainStateMapper;
import dev.quiesce.api.v1.DrainState;
import dev.quiesce.drain.DrainListener;
import dev.quiesce.drain.DrainSnapshot;
import dev.quiesce.drain.DrainStateBean;
import dev.quiesce.drain.Phase;
import dev.quiesce.drain.TurnChange;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.BackPressureStrategy;
import io.smallrye.mutiny.subscription.MultiEmitter;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Fans state changes out to {@code WatchState} streams. Each stream gets the current state first,
 * then every newer version; a slow reader keeps only the newest pending state (a state stream
 * needs the latest, not a backlog), so one stuck client cannot grow memory. A stream that ends or
 * is cancelled is unsubscribed at once; when the gateway reaches STOPPED every stream completes.
 *
 * <p>A change of the phase, the drain, {@code drained}, the marker judgement or the inbox is sent
 * at once, on the thread that made it. A turn's start or end alone is sent from the hub's own
 * thread, at most once per {@link #TURN_CHANGE_INTERVAL}, as the state of that moment: under full
 * ingress every turn start and end is a version, and building the message that lists every
 * running turn for each of them would make admission cost O(turns in flight) while anyone
 * watches. Thread-safe.
 */
@ApplicationScoped
public class DrainStateWatchHub implements DrainListener {

    /** The longest a change of the running turns alone waits before the streams get it. */
    static final Duration TURN_CHANGE_INTERVAL = Duration.ofMillis(50);

    private final DrainStateBean state;
    private final Set<Watcher> watchers = ConcurrentHashMap.newKeySet();
    private final ScheduledThreadPoolExecutor sender = new ScheduledThreadPoolExecutor(1, r -> {
        Thread thread = new Thread(r, "quiesce-watch-turns");
        thread.setDaemon(true);
        return thread;
    });
    /** True while a send of the state after a turn's start or end is scheduled. */
    private final AtomicBoolean turnsScheduled = new AtomicBoolean();
    private volatile long lastTurnsSentNanos = System.nanoTime() - TURN_CHANGE_INTERVAL.toNanos();

    @Inject
    public DrainStateWatchHub(DrainStateBean state) {
        this.state = state;
    }

    /** A stream of the current state followed by every change. */
    public Multi<DrainState> watch() {
        return Multi.createFrom().<DrainState>emitter(emitter -> {
            Watcher watcher = new Watcher(emitter);
            watchers.add(watcher);
            emitter.onTermination(() -> watchers.remove(watcher));
            // Registered before reading the current state, so no change can fall between the two.
            DrainSnapshot current = state.current();
            watcher.offer(DrainStateMapper.toProto(current));
            if (current.phase() == Phase.STOPPED) {
                watcher.complete();
            }
        }, BackPressureStrategy.LATEST);
    }

    @Override
    public void onChange(DrainSnapshot snapshot) {
        if (!watchers.isEmpty()) {
            send(snapshot);
        }
    }

    @Override
    public void onTurn(TurnChange change) {
        if (watchers.isEmpty() || !turnsScheduled.compareAndSet(false, true)) {
            return;
        }
        long delay = lastTurnsSentNanos + TURN_CHANGE_INTERVAL.toNanos() - System.nanoTime();
        try {
            sender.schedule(this::sendTurns, Math.max(0, delay), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            turnsScheduled.set(false); // stopping: STOPPED is sent at once and ends every stream
        }
    }

    @PreDestroy
    void close() {
        sender.shutdownNow();
    }

    private void sendTurns() {
        turnsScheduled.set(false); // before reading the state: a change after this schedules its own send
        lastTurnsSentNanos = System.nanoTime();
        send(state.current());
    }

    private void send(DrainSnapshot snapshot) {
        DrainState wire = DrainStateMapper.toProto(snapshot);
        for (Watcher watcher : watchers) {
            watcher.offer(wire);
            if (snapshot.phase() == Phase.STOPPED) {
                watcher.complete();
            }
        }
    }

    /** One stream; delivers strictly increasing versions. */
    private static final class Watcher {
        private final MultiEmitter<? super DrainState> emitter;
        private long lastVersion = -1;

        Watcher(MultiEmitter<? super DrainState> emitter) {
            this.emitter = emitter;
        }

        synchronized void offer(DrainState state) {
            if (state.getVersion() <= lastVersion || emitter.isCancelled()) {
                return;
            }
            lastVersion = state.getVersion();
            emitter.emit(state);
        }

        synchronized void complete() {
            emitter.complete();
        }
    }
}
