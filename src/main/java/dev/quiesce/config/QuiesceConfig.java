package dev.quiesce.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/**
 * Every {@code quiesce.*} property, with its default. The README's configuration table lists
 * the same properties; keep the two in step.
 *
 * <p>Immutable once the application has started; safe to read from any thread.
 */
@ConfigMapping(prefix = "quiesce")
public interface QuiesceConfig {

    /**
     * The gateway's home directory (marker, tokens, status file, audit log). When unset:
     * env {@code HERMES_HOME}, else {@code ~/.quiesce}.
     */
    Optional<String> home();

    Marker marker();

    Epoch epoch();

    Drain drain();

    Turn turn();

    /** How the drain-marker file is watched and judged. */
    interface Marker {
        /** A marker with no lease older than this is ignored as EXPIRED (unsticks legacy/corrupt markers). */
        @WithDefault("1h")
        Duration maxAge();

        /** Fallback reconcile tick; the file-system watch reacts sooner. */
        @WithDefault("1s")
        String pollInterval();
    }

    /** Where the instantiation epoch is read from. */
    interface Epoch {
        /** Root of the proc file system; tests point it at a fake tree to simulate restarts. */
        @WithDefault("/proc")
        String procRoot();
    }

    /** Drain leases. */
    interface Drain {
        /** Lease used when BeginDrain asks for none (0). */
        @WithDefault("1h")
        Duration defaultLease();

        /** The longest lease a caller may ask for. */
        @WithDefault("24h")
        Duration maxLease();
    }

    /** How turns are run. */
    interface Turn {
        /** {@code echo} (embedded default: replies with the text) or {@code http} (an agent backend). */
        @WithDefault("echo")
        String handler();

        Echo echo();

        Http http();

        /** The echo handler. */
        interface Echo {
            /** How long an echo turn takes; a delay lets a newcomer watch a drain wait for a turn. */
            @WithDefault("0s")
            Duration delay();
        }

        /** The http handler. */
        interface Http {
            /** The agent backend's URL; each turn is POSTed there as JSON. Required with handler=http. */
            Optional<String> url();

            /** The longest a turn may take before it fails. */
            @WithDefault("5m")
            Duration timeout();

            /** Connection timeout to the backend. */
            @WithDefault("5s")
            Duration connectTimeout();
        }
    }
}
