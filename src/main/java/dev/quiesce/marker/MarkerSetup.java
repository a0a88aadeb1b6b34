package dev.quiesce.marker;

import dev.quiesce.config.QuiesceConfig;
import dev.quiesce.home.QuiesceHome;
import io.quarkus.logging.Log;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.nio.file.Path;

/** CDI wiring of the marker contract from {@link QuiesceConfig}. */
@Singleton
public class MarkerSetup {

    /** Computed once: the epoch is constant for the life of the process. */
    @Produces
    @Singleton
    MarkerJudge judge(QuiesceConfig config) {
        String epoch = InstantiationEpoch.read(Path.of(config.epoch().procRoot()));
        Log.infof("Instantiation epoch: %s", epoch.isEmpty() ? "(unavailable: epoch check off)" : epoch);
        return new MarkerJudge(epoch, config.marker().maxAge(), config.drain().maxLease());
    }

    @Produces
    @Singleton
    DrainMarkerStore store(QuiesceHome home) {
        DrainMarkerStore store = new DrainMarkerStore(home.path());
        int leftovers = store.removeLeftoverTempFiles();
        if (leftovers > 0) {
            Log.infof("Removed %d temp file(s) a crashed marker write left in %s", leftovers, home.path());
        }
        return store;
    }
}
