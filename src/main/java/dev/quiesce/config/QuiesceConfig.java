package dev.quiesce.config;

import dev.quiesce.config.ConfigConverters.AtLeastOne;
import dev.quiesce.config.ConfigConverters.Positive;
import dev.quiesce.config.ConfigConverters.Schedule;
import dev.quiesce.config.ConfigConverters.ZeroOrLonger;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.time.Duration;
import java.util.Optional;

/**
 * Every {@code quiesce.*} property, with its default. The README's configuration table lists
 * the same properties; keep the two in step.
 *
 * <p>A value that cannot work stops the start, naming the property: each duration is longer than 0s
 * ({@link Positive}) unless 0 means something for it ({@link ZeroOrLonger}: the echo delay, the
 * shutdown's drain timeout, the home broadcast's minimum interval), the two schedules are durations
 * longer than 0s that cannot be turned off ({@link Schedule}), the webhook makes at least one attempt,
 * and the default lease is no longer than the maximum ({@link QuiesceConfigCheck}). Values of a
 * handler or sink that is not selected are checked too: they are wrong either way, and switching later
 * should not bring up an old mistake.
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

    Shutdown shutdown();

    /** {@code quiesce.notify.*} ({@code notify()} is taken by {@link Object}). */
    @WithName("notify")
    Notify notifications();

    Auth auth();

    Inbox inbox();

    Console console();

    /** How the drain-marker file is watched and judged. */
    interface Marker {
        /** A marker with no lease older than this is ignored as EXPIRED (unsticks legacy/corrupt markers). */
        @WithDefault("1h")
        @WithConverter(Positive.class)
        Duration maxAge();

        /**
         * Fallback reconcile tick; the file-system watch reacts sooner. Text, because the scheduler reads
         * it ({@code @Scheduled(every = "{quiesce.marker.poll-interval}")}); it cannot be turned off,
         * since the tick also expires markers by age and restarts a watch that died.
         */
        @WithDefault("1s")
        @WithConverter(Schedule.class)
        String pollInterval();

        /**
         * For the benchmark only: {@code false} leaves the file-system watch off, so only the poll
         * tick reconciles (the reference gateway's design). Liveness then does not depend on the watch.
         */
        @WithDefault("true")
        boolean watchEnabled();
    }

    /** Where the instantiation epoch is read from. */
    interface Epoch {
        /** Root of the proc file system; tests point it at a fake tree to simulate restarts. */
        @WithDefault("/proc")
        String procRoot();
    }

    /** Drain leases. */
    interface Drain {
        /** Lease used when BeginDrain asks for none (0); no longer than {@link #maxLease()}. */
        @WithDefault("1h")
        @WithConverter(Positive.class)
        Duration defaultLease();

        /** The longest lease a caller may ask for. */
        @WithDefault("24h")
        @WithConverter(Positive.class)
        Duration maxLease();
    }

    /** How turns are run. */
    interface Turn {
        /** Who answers a turn: {@code echo} or {@code http}. */
        @WithDefault("echo")
        Handler handler();

        /**
         * The turn handlers. SmallRye Config matches a value, trimmed, by its hyphenated form against
         * the hyphenated constant names: {@code echo}, {@code ECHO} and {@code Echo} all read as
         * {@link #ECHO}, while a camel-cased {@code WebHook} would be {@code web-hook}. Anything else
         * fails the start, naming the property, the value and the allowed values.
         */
        enum Handler {
            /** Embedded, the default: replies with the text. */
            ECHO,
            /** An agent backend at {@code quiesce.turn.http.url}. */
            HTTP
        }

        Echo echo();

        Http http();

        /** The echo handler. */
        interface Echo {
            /**
             * How long an echo turn takes (0: it answers at once); a delay lets a newcomer watch a drain
             * wait for a turn.
             */
            @WithDefault("0s")
            @WithConverter(ZeroOrLonger.class)
            Duration delay();
        }

        /** The http handler. */
        interface Http {
            /** The agent backend's URL; each turn is POSTed there as JSON. Required with handler=http. */
            Optional<String> url();

            /** The longest a turn may take before it fails. */
            @WithDefault("5m")
            @WithConverter(Positive.class)
            Duration timeout();

            /** Connection timeout to the backend. */
            @WithDefault("5s")
            @WithConverter(Positive.class)
            Duration connectTimeout();
        }
    }

    /** The shutdown sequence (SPEC §7). */
    interface Shutdown {
        /**
         * How long a shutdown waits for running turns before interrupting them (0: it interrupts them at
         * once). Kubernetes' terminationGracePeriodSeconds must exceed this plus {@code quiesce.notify.budget}.
         */
        @WithDefault("25s")
        @WithConverter(ZeroOrLonger.class)
        Duration drainTimeout();
    }

    /** Shutdown notifications. */
    interface Notify {
        /** Where notifications go: {@code log} or {@code webhook}. */
        @WithDefault("log")
        Sink sink();

        /** The notification sinks; a value is read as {@link Turn.Handler} describes. */
        enum Sink {
            /** The default: INFO log lines. */
            LOG,
            /** HTTP POSTs to {@code quiesce.notify.webhook.url}. */
            WEBHOOK
        }

        /** The home channel that gets the "gateway shutting down" broadcast; empty = none. */
        Optional<String> homeChannel();

        /**
         * At most one home broadcast per this interval, remembered across restarts in the home (0: every
         * shutdown broadcasts).
         */
        @WithDefault("10m")
        @WithConverter(ZeroOrLonger.class)
        Duration homeMinInterval();

        /** Everything the notifier does on a shutdown (pings and broadcast, retries included) fits in this. */
        @WithDefault("10s")
        @WithConverter(Positive.class)
        Duration budget();

        Webhook webhook();

        /** The webhook sink. */
        interface Webhook {
            /** Where notifications are POSTed as JSON; required with sink=webhook. */
            Optional<String> url();

            /** Timeout of one attempt. */
            @WithDefault("2s")
            @WithConverter(Positive.class)
            Duration timeout();

            /** Attempts per notification (the first included, so at least 1), all inside the budget. */
            @WithDefault("3")
            @WithConverter(AtLeastOne.class)
            int attempts();
        }
    }

    /** Bearer tokens ({@code <home>/tokens}). */
    interface Auth {
        /**
         * How often the tokens file is looked at, so rotated tokens take effect without a restart. A
         * look is one {@code stat}; the file is read only when it changed. Text, because the scheduler
         * reads it; it cannot be turned off.
         */
        @WithDefault("1s")
        @WithConverter(Schedule.class)
        String reloadInterval();
    }

    /** The inbox (SPEC §9): messages kept while the gateway is paused, answered when it runs again. */
    interface Inbox {
        /** What happens to a message the gateway cannot start now. */
        enum Mode {
            /** Keep it (when it has a channel) and answer it later: TURN_OUTCOME_DEFERRED. */
            DEFER,
            /** Refuse it, as before the inbox: the platform redelivers by itself. */
            REFUSE
        }

        /**
         * {@code defer} (default) or {@code refuse}; a message's {@code when_paused} overrides it.
         * SmallRye matches the value case-insensitively ({@code DEFER} works too).
         */
        @WithDefault("defer")
        Mode mode();

        /** The most entries the inbox holds; a message past it is refused as before (never a false receipt). */
        @WithDefault("10000")
        int maxEntries();

        /** The most bytes of text the inbox holds. */
        @WithDefault("64M")
        io.quarkus.runtime.configuration.MemorySize maxBytes();

        /**
         * A message whose message_id matches one answered this recently (Slack retries a delivery up
         * to ~6 minutes later) is a duplicate: answered DEFERRED with the first's id, not stored.
         */
        @WithDefault("15m")
        Duration dedupWindow();

        /** How many saved entries are replayed at once (at most one per session). */
        @WithDefault("4")
        int replayConcurrency();

        /** An entry older than this is not run: its channel gets one deferred_expired notice. */
        @WithDefault("24h")
        Duration maxAge();

        /**
         * Turns a shutdown cuts off run again by themselves after the restart (SPEC §10): recorded in the
         * inbox at SIGTERM as {@code resume} entries. {@code false}: such a turn is lost, and its user is
         * told to message again.
         */
        @WithDefault("true")
        boolean resume();

        /** A {@code resume} entry older than this (from the shutdown that recorded it) is not run: one deferred_expired notice. */
        @WithDefault("1h")
        Duration resumeMaxAge();
    }

    /** The operator console (SPEC §11) and its state stream, {@code GET /api/gateway/state/stream}. */
    interface Console {
        /**
         * How often the state stream sends a keep-alive comment line while nothing changes, so proxies
         * and {@code kubectl port-forward} keep an idle stream open and a browser notices a dead one.
         */
        @WithDefault("15s")
        @WithConverter(Positive.class)
        Duration keepAlive();
    }
}
