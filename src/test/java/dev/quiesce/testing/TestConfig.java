package dev.quiesce.testing;

import dev.quiesce.config.QuiesceConfig;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.runtime.configuration.MemorySizeConverter;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.util.Map;

/**
 * {@link QuiesceConfig} read by SmallRye Config from the given properties, the defaults filling in
 * the rest, as the application reads it (durations such as {@code 1h} included) — without
 * starting the application.
 */
public final class TestConfig {

    private TestConfig() {}

    /**
     * @throws RuntimeException as SmallRye Config throws it when a value cannot be converted (a
     *     {@code io.smallrye.config.ConfigValidationException} naming the property)
     */
    public static QuiesceConfig of(Map<String, String> properties) {
        return new SmallRyeConfigBuilder()
                .withMapping(QuiesceConfig.class)
                // Quarkus registers this one itself; a bare SmallRye config needs it named.
                .withConverter(MemorySize.class, 100, new MemorySizeConverter())
                .withConverter(Duration.class, 100, new DurationConverter()) // "1h", as Quarkus reads it
                .withSources(new PropertiesConfigSource(properties, "test", 100))
                .build()
                .getConfigMapping(QuiesceConfig.class);
    }
}
