package dev.quiesce.home;

import dev.quiesce.config.QuiesceConfig;
import io.quarkus.logging.Log;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.io.IOException;

/** CDI wiring of the home directory from {@link QuiesceConfig}. */
@Singleton
public class HomeSetup {

    /**
     * The resolved home, created (0700) when missing, and locked for this gateway alone: every bean
     * that touches the home gets it from here, so nothing is written before the lock is held.
     *
     * @throws IllegalStateException when the home does not exist and cannot be created, or another
     *     gateway holds it (naming its PID): the gateway does not start
     */
    @Produces
    @Singleton
    @Startup
    HomeLock lock(QuiesceConfig config) {
        QuiesceHome home = QuiesceHome.resolve(config.home(), System.getenv(), System.getProperty("user.home"));
        try {
            home.ensureExists();
        } catch (IOException e) {
            throw new IllegalStateException("cannot create the Quiesce home " + home.path() + ": " + e, e);
        }
        try {
            HomeLock lock = HomeLock.acquire(home.path());
            Log.infof("Quiesce home: %s (locked for this gateway, PID %d)", home.path(), ProcessHandle.current().pid());
            return lock;
        } catch (HomeLock.HomeLockedException e) {
            throw new IllegalStateException(e.getMessage(), null);
        } catch (IOException e) {
            throw new IllegalStateException("cannot lock the Quiesce home " + home.path() + " (" + e
                    + "); the gateway needs a writable home", e);
        }
    }

    /** Released when the application stops (a test's restart in the same JVM; the OS does it at exit). */
    void unlock(@Disposes HomeLock lock) {
        try {
            lock.close();
        } catch (IOException e) {
            Log.warnf("Could not release %s: %s (the OS releases it at exit)", lock.path(), e.toString());
        }
    }

    @Produces
    @Singleton
    QuiesceHome home(HomeLock lock) {
        return new QuiesceHome(lock.path().getParent());
    }

    /** Probed once at startup, so a home that is not writable is logged before the first health probe. */
    @Produces
    @Singleton
    @Startup
    HomeWritability writability(QuiesceHome home) {
        HomeWritability writability = new HomeWritability(home.path());
        writability.check();
        return writability;
    }
}
