package dev.quiesce.notify;

import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/** A real {@link ShutdownNotifier} wired by hand, for plain tests in other packages (the shutdown's). */
public final class PlainNotifier {

    private PlainNotifier() {}

    public static ShutdownNotifier of(NotificationSink sink, Path home, Optional<String> homeChannel,
            Duration homeMinInterval, Duration budget, Clock clock, MeterRegistry registry) {
        return new ShutdownNotifier(sink, new HomeBroadcastPolicy(home, homeChannel, homeMinInterval, clock), budget,
                clock, registry);
    }
}
