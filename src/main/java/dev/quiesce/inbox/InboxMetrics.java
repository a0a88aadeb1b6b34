package dev.quiesce.inbox;

import dev.quiesce.drain.DrainListener;
import dev.quiesce.drain.DrainSnapshot;
import dev.quiesce.drain.Phase;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The inbox's metrics (SPEC §9): {@code quiesce_inbox_waiting}, {@code quiesce_inbox_deferred_total{phase}},
 * {@code quiesce_inbox_replayed_total{outcome}}, {@code quiesce_inbox_expired_total},
 * {@code quiesce_inbox_refused_total{reason}} (a message that should have been kept but was refused:
 * {@code full}, {@code store_failed}, {@code unavailable}), {@code quiesce_inbox_duplicates_total} and
 * {@code quiesce_inbox_unavailable} (1 while the store cannot be used), and for the turns a shutdown
 * cut off (SPEC §10) {@code quiesce_inbox_resumes_total{result}}: {@code recorded} at SIGTERM,
 * {@code finished_in_time} (the entry removed again), {@code resumed} (run after the restart). Thread-safe.
 */
@ApplicationScoped
public class InboxMetrics implements DrainListener {

    private final MeterRegistry registry;
    private final AtomicInteger waiting = new AtomicInteger();
    private final AtomicInteger unavailable = new AtomicInteger();

    InboxMetrics(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder("quiesce_inbox_waiting", waiting, AtomicInteger::get)
                .description("Messages saved in the inbox, waiting to be answered").register(registry);
        Gauge.builder("quiesce_inbox_unavailable", unavailable, AtomicInteger::get)
                .description("1 while the inbox cannot be used (messages are refused as before)").register(registry);
    }

    @Override
    public void onChange(DrainSnapshot snapshot) {
        waiting.set(snapshot.inbox().waiting());
    }

    void deferred(Phase phase) {
        counter("quiesce_inbox_deferred_total", "Messages saved, by the phase they arrived in", "phase",
                phase.statusName()).increment();
    }

    void replayed(String outcome) {
        counter("quiesce_inbox_replayed_total", "Saved messages run and answered, by how the answer went",
                "outcome", outcome.toLowerCase(Locale.ROOT)).increment();
    }

    void expired() {
        Counter.builder("quiesce_inbox_expired_total").description("Saved messages dropped as too old, with a notice")
                .register(registry).increment();
    }

    void refused(String reason) {
        counter("quiesce_inbox_refused_total", "Messages that would have been saved but were refused", "reason", reason)
                .increment();
    }

    void resume(String result) {
        counter("quiesce_inbox_resumes_total", "Running turns recorded at a shutdown to resume, and what became of them",
                "result", result).increment();
    }

    void duplicate() {
        Counter.builder("quiesce_inbox_duplicates_total").description("Messages recognised as a retry of a saved one")
                .register(registry).increment();
    }

    void unavailable(boolean now) {
        unavailable.set(now ? 1 : 0);
    }

    private Counter counter(String name, String description, String tag, String value) {
        return Counter.builder(name).description(description).tag(tag, value).register(registry);
    }
}
