package dev.quiesce.api.grpc;

import dev.quiesce.api.DrainStateMapper;
import dev.quiesce.api.v1.DrainState;
import dev.quiesce.drain.DrainListener;
import dev.quiesce.drain.DrainSnapshot;
import dev.quiesce.drain.DrainStateBean;
import dev.quiesce.drain.Phase;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.BackPressureStrategy;
import io.smallrye.mutiny.subscription.MultiEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Fans state changes out to {@code WatchState} streams. Each stream gets the current state first,
 * then every newer version; a slow reader keeps only the newest pending state (a state stream
 * needs the latest, not a backlog), so one stuck client cannot grow memory. A stream that ends or
 * is cancelled is unsubscribed at once; when the gateway reaches STOPPED every stream completes.
 * Thread-safe.
 */
@ApplicationScoped
public class DrainStateWatchHub implements DrainListener {

    private final DrainStateBean state;
    private final Set<Watcher> watchers = ConcurrentHashMap.newKeySet();

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
        if (watchers.isEmpty()) {
            return;
        }
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
