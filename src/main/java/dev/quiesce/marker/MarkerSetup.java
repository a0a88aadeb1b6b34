package dev.quiesce.marker;

import dev.quiesce.config.QuiesceConfig;
import io.quarkus.logging.Log;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** CDI wiring of the marker contract from {@link QuiesceConfig}. */
@Singleton
public class MarkerSetup {

    @Produces
    @Singleton
    QuiesceHome home(QuiesceConfig config) {
        QuiesceHome home = QuiesceHome.resolve(config.home(), System.getenv(), System.getProperty("user.home"));
        try {
            home.ensureExists();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the Quiesce home " + home.path(), e);
        }
        Log.infof("Quiesce home: %s", home.path());
        return home;
    }

    /** Computed once: the epoch is constant for the life of the process. */
    @Produces
    @Singleton
    MarkerJudge judge(QuiesceConfig config) {
        String epoch = InstantiationEpoch.read(Path.of(config.epoch().procRoot()));
        Log.infof("Instantiation epoch: %s", epoch.isEmpty() ? "(unavailable: epoch check off)" : epoch);
        return new MarkerJudge(epoch, config.marker().maxAge());
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
