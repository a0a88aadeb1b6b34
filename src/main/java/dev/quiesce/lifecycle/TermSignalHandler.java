package dev.quiesce.lifecycle;

import io.quarkus.logging.Log;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import sun.misc.Signal;

/**
 * Makes SIGTERM a clean exit (status 0) instead of the JVM's 143: the signal asks Quarkus to exit,
 * which runs the {@link ShutdownSequence} first. Kubernetes and systemd then record a planned
 * stop, not a crash. Not installed in tests, where the test JVM owns its signals.
 */
@ApplicationScoped
public class TermSignalHandler {

    void install(@Observes StartupEvent event) {
        if (LaunchMode.current() == LaunchMode.TEST) {
            return;
        }
        try {
            Signal.handle(new Signal("TERM"), signal -> Quarkus.asyncExit(0));
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            Log.warnf("Could not install the SIGTERM handler (%s); SIGTERM will exit with 143", e.toString());
        }
    }
}
