package dev.quiesce.pipeline;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;

/**
 * {@code quiesce_turns_total{outcome}}: every message that reached the gate, counted once by how it
 * ended — the outcomes of {@link TurnOutcome.Kind}, and {@value #ABANDONED} for a turn whose caller
 * went away before it ended (it has no outcome anyone received). Thread-safe.
 */
final class TurnCounts {

    /** The outcome tag of a turn whose caller hung up. */
    static final String ABANDONED = "abandoned";

    private final Map<TurnOutcome.Kind, Counter> byKind = new EnumMap<>(TurnOutcome.Kind.class);
    private final Counter abandoned;

    TurnCounts(MeterRegistry registry) {
        for (TurnOutcome.Kind kind : TurnOutcome.Kind.values()) {
            byKind.put(kind, counter(registry, kind.metricName()));
        }
        abandoned = counter(registry, ABANDONED);
    }

    /** Counts {@code outcome} and returns it. */
    TurnOutcome count(TurnOutcome outcome) {
        byKind.get(outcome.kind()).increment();
        return outcome;
    }

    void countAbandoned() {
        abandoned.increment();
    }

    private static Counter counter(MeterRegistry registry, String outcome) {
        return Counter.builder("quiesce_turns_total")
                .description("Turns by outcome, refusals and turns whose caller went away included")
                .tag("outcome", outcome)
                .register(registry);
    }
}
