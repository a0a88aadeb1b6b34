package dev.quiesce.drain;

import dev.quiesce.marker.MarkerStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Prometheus metrics of the drain state: {@code quiesce_phase{phase}} (1 for the current phase),
 * {@code quiesce_in_flight_turns}, {@code quiesce_drains_total{outcome}} and
 * {@code quiesce_markers_ignored_total{reason}} (counted when a marker is first judged ignored,
 * not on every tick). Thread-safe.
 */
@ApplicationScoped
public class DrainMetrics implements DrainListener {

    private final MeterRegistry registry;
    private final Map<Phase, Gauge> phaseGauges = new EnumMap<>(Phase.class);
    private volatile DrainSnapshot latest;
    private volatile boolean lastIgnored;
    /** Where the gauge reads the state once turns started or ended (they make no snapshot of their own). */
    private volatile Supplier<DrainSnapshot> turnState;

    @Inject
    public DrainMetrics(MeterRegistry registry) {
        this.registry = registry;
        for (Phase phase : Phase.values()) {
            phaseGauges.put(phase, Gauge.builder("quiesce_phase", this, m -> m.isPhase(phase))
                    .description("1 for the gateway's current phase, 0 for the others")
                    .tag("phase", phase.statusName())
                    .register(registry));
        }
        Gauge.builder("quiesce_in_flight_turns", this, DrainMetrics::inFlight)
                .description("Turns running now")
                .register(registry);
    }

    @Override
    public void onTurn(TurnChange change) {
        if (turnState == null) {
            turnState = change.state();
        }
    }

    private double inFlight() {
        Supplier<DrainSnapshot> state = turnState;
        DrainSnapshot snapshot = state != null ? state.get() : latest;
        return snapshot == null ? 0 : snapshot.inFlightCount();
    }

    @Override
    public void onChange(DrainSnapshot snapshot) {
        latest = snapshot;
        boolean ignored = snapshot.marker().status() == MarkerStatus.IGNORED;
        if (ignored && !lastIgnored) {
            Counter.builder("quiesce_markers_ignored_total")
                    .description("Marker files judged ignored, by reason")
                    .tag("reason", snapshot.marker().ignoredReason().name().toLowerCase(Locale.ROOT))
                    .register(registry)
                    .increment();
        }
        lastIgnored = ignored;
    }

    @Override
    public void onEvent(DrainEvent event) {
        if (event.drainId().isEmpty()) {
            return; // a shutdown outside any drain ends no drain
        }
        Counter.builder("quiesce_drains_total")
                .description("Drain transitions by outcome (began, renewed, adopted, cancelled, expired, shutdown)")
                .tag("outcome", event.outcome())
                .register(registry)
                .increment();
    }

    private double isPhase(Phase phase) {
        DrainSnapshot snapshot = latest;
        return snapshot != null && snapshot.phase() == phase ? 1 : 0;
    }
}
