package dev.quiesce.lifecycle;

import io.quarkus.logging.Log;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import sun.misc.Signal;

/**
 * Makes SIGTERM and SIGINT (Ctrl-C) a clean exit (status 0) instead of the JVM's 143 and 130: the
 * signal asks Quarkus to exit, which runs the {@link ShutdownSequence} first. Kubernetes and systemd
 * then record a planned stop, not a crash, and Ctrl-C in a terminal drains the same way. Not
 * installed in tests, where the test JVM owns its signals.
 */
@ApplicationScoped
public class TermSignalHandler {

    void install(@Observes StartupEvent event) {
        if (LaunchMode.current() == LaunchMode.TEST) {
            return;
        }
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                Signal.handle(new Signal(name), signal -> Quarkus.asyncExit(0));
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                Log.warnf("Could not install the SIG%s handler (%s); SIG%s will exit with %d", name, e.toString(),
                        name, name.equals("TERM") ? 143 : 130);
            }
        }
    }
}
