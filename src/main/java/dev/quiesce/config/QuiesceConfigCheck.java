package dev.quiesce.config;

import io.quarkus.runtime.Startup;
import io.smallrye.config.ConfigValidationException;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;

/**
 * The relations between {@code quiesce.*} values that must hold for the gateway to work, checked at
 * startup: a start that breaks one fails with "Configuration validation failed", as a single value
 * that cannot work does ({@link ConfigConverters}), naming both properties.
 *
 * <ul>
 *   <li>{@code quiesce.drain.default-lease} is no longer than {@code quiesce.drain.max-lease}: else a
 *       drain that asks for no lease gets a longer one than any caller may ask for.
 * </ul>
 * Relations that merely look odd are left alone, because they work: a webhook timeout longer than the
 * notify budget (each attempt is cut to what is left of it), a connect timeout longer than the turn
 * timeout (the turn timeout ends the wait), a marker max-age longer than the max lease.
 *
 * <p><b>When.</b> A converter cannot see a second value, and SmallRye's hook for checking a whole
 * mapping ({@code ConfigValidator}) is installed through a service file that Quarkus' code generation
 * reads before the classes are compiled, which breaks a clean build. So this is the first
 * {@code @Startup} bean: it runs before the port opens, but after the gRPC server was set up, which
 * locks the home and, in a fresh home, writes the first token (harmless: a corrected start uses it).
 *
 * <p>Stateless and thread-safe.
 */
@Singleton
@Startup(Integer.MIN_VALUE)
public class QuiesceConfigCheck {

    /**
     * @throws ConfigValidationException listing every relation {@code config} breaks
     */
    @Inject
    public QuiesceConfigCheck(QuiesceConfig config) {
        List<String> problems = problems(config);
        if (!problems.isEmpty()) {
            throw new ConfigValidationException(problems.stream()
                    .map(ConfigValidationException.Problem::new)
                    .toArray(ConfigValidationException.Problem[]::new));
        }
    }

    /** The relations {@code config} breaks, one sentence each naming both properties; empty when none. */
    static List<String> problems(QuiesceConfig config) {
        List<String> problems = new ArrayList<>();
        QuiesceConfig.Drain drain = config.drain();
        if (drain.defaultLease().compareTo(drain.maxLease()) > 0) {
            problems.add("quiesce.drain.default-lease (" + Durations.readable(drain.defaultLease())
                    + ") must not be longer than quiesce.drain.max-lease (" + Durations.readable(drain.maxLease())
                    + "): a drain that asks for no lease would get a longer one than a caller may ask for");
        }
        return problems;
    }
}
