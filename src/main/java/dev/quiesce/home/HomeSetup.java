package dev.quiesce.home;

import dev.quiesce.config.QuiesceConfig;
import io.quarkus.logging.Log;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;

/** CDI wiring of the home directory from {@link QuiesceConfig}. */
@Singleton
public class HomeSetup {

    /**
     * The resolved home, created (0700) when missing.
     *
     * @throws UncheckedIOException when it does not exist and cannot be created: the gateway does not start
     */
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
}
