package dev.quiesce.deploy;

import dev.quiesce.config.QuiesceConfig;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a property of the application is in a container, resolved the way the application's
 * configuration does it (highest first): the container's environment (Quarkus' env-var names:
 * {@code quiesce.shutdown.drain-timeout} → {@code QUIESCE_SHUTDOWN_DRAIN_TIMEOUT}),
 * {@code src/main/resources/application.properties} (as the prod profile reads it: a
 * {@code %prod.} key wins, {@code %test.} and other profiles' keys are skipped), then the
 * {@code @WithDefault} of {@link QuiesceConfig}.
 *
 * <p>Immutable and thread-safe.
 */
final class AppSettings {

    static final Path APPLICATION_PROPERTIES = Path.of("src", "main", "resources", "application.properties");

    private static final Pattern SIMPLE_DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)?");

    private final Map<String, String> environment;
    private final Properties applicationProperties;

    private AppSettings(Map<String, String> environment, Properties applicationProperties) {
        this.environment = Map.copyOf(environment);
        this.applicationProperties = applicationProperties;
    }

    /** The settings of a container whose environment (after envFrom) is {@code environment}. */
    static AppSettings inContainer(Map<String, String> environment) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(APPLICATION_PROPERTIES, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new AppSettings(environment, properties);
    }

    /** The settings with no environment: what the application runs with out of the box. */
    static AppSettings builtIn() {
        return inContainer(Map.of());
    }

    /** The value of {@code property}, or empty when neither the environment, the file nor a default sets it. */
    Optional<String> value(String property) {
        String fromEnv = environment.get(envName(property));
        if (fromEnv != null) {
            return Optional.of(fromEnv);
        }
        String fromFile = applicationProperties.getProperty("%prod." + property, applicationProperties.getProperty(property));
        if (fromFile != null) {
            return Optional.of(fromFile.strip());
        }
        return quiesceDefault(property);
    }

    /** {@link #value}, which must be set. */
    String require(String property) {
        return value(property).orElseThrow(() -> new AssertionError(property + " (env " + envName(property)
                + ") is set nowhere: not in the container, not in application.properties, no default"));
    }

    /** {@link #require} read as a duration, in Quarkus' syntax ({@code 25s}, {@code 10m}, {@code 500ms}, ISO-8601). */
    Duration duration(String property) {
        return parseDuration(require(property));
    }

    /** Quarkus' environment-variable name for a property: non-alphanumerics become {@code _}, upper case. */
    static String envName(String property) {
        return property.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT);
    }

    /** A duration as SmallRye Config reads one: a bare number is seconds. */
    static Duration parseDuration(String text) {
        Matcher simple = SIMPLE_DURATION.matcher(text.strip());
        if (!simple.matches()) {
            return Duration.parse(text.strip().startsWith("P") ? text.strip() : "PT" + text.strip());
        }
        long amount = Long.parseLong(simple.group(1));
        String unit = simple.group(2) == null ? "s" : simple.group(2);
        return switch (unit) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            case "d" -> Duration.ofDays(amount);
            default -> throw new IllegalArgumentException(text);
        };
    }

    /**
     * The {@code @WithDefault} of a {@code quiesce.*} property, found by walking {@link QuiesceConfig}
     * (kebab-case segments to methods, honouring {@code @WithName}).
     */
    static Optional<String> quiesceDefault(String property) {
        String prefix = "quiesce.";
        if (!property.startsWith(prefix)) {
            return Optional.empty();
        }
        Class<?> group = QuiesceConfig.class;
        String[] segments = property.substring(prefix.length()).split("\\.");
        for (int i = 0; i < segments.length; i++) {
            Method method = member(group, segments[i]);
            if (method == null) {
                return Optional.empty();
            }
            if (i == segments.length - 1) {
                WithDefault withDefault = method.getAnnotation(WithDefault.class);
                return Optional.ofNullable(withDefault).map(WithDefault::value);
            }
            group = method.getReturnType();
        }
        return Optional.empty();
    }

    private static Method member(Class<?> group, String segment) {
        for (Method method : group.getMethods()) {
            WithName name = method.getAnnotation(WithName.class);
            String configName = name != null ? name.value() : kebab(method.getName());
            if (configName.equals(segment) && method.getParameterCount() == 0) {
                return method;
            }
        }
        return null;
    }

    private static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }
}
