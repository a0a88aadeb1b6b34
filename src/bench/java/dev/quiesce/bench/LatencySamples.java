package dev.quiesce.bench;

import java.util.Arrays;

/**
 * Round-trip or reaction times of one measured operation, in nanoseconds, and their order
 * statistics. Percentiles use the nearest-rank method (the p-th percentile is the smallest sample
 * with at least p% of the samples at or below it), so every reported figure is a real sample.
 * Not thread-safe: one measurement loop fills it (or several are {@link #addAll merged} after).
 */
final class LatencySamples {

    private final String name;
    private long[] nanos = new long[256];
    private int count;
    private int timeouts;
    /** The samples sorted, or null when one was added since. */
    private long[] sorted;

    LatencySamples(String name) {
        this.name = name;
    }

    String name() {
        return name;
    }

    void add(long elapsedNanos) {
        if (count == nanos.length) {
            nanos = Arrays.copyOf(nanos, count * 2);
        }
        nanos[count++] = elapsedNanos;
        sorted = null;
    }

    /** Adds every sample and timeout of {@code other}. */
    void addAll(LatencySamples other) {
        for (int i = 0; i < other.count; i++) {
            add(other.nanos[i]);
        }
        timeouts += other.timeouts;
    }

    /** A trial that saw no answer within its bound; counted, never averaged in. */
    void addTimeout() {
        timeouts++;
    }

    int count() {
        return count;
    }

    int timeouts() {
        return timeouts;
    }

    /** The nearest-rank {@code percent}-th percentile in milliseconds; NaN without samples. */
    double percentileMs(double percent) {
        if (count == 0) {
            return Double.NaN;
        }
        if (sorted == null) {
            sorted = Arrays.copyOf(nanos, count);
            Arrays.sort(sorted);
        }
        int rank = (int) Math.ceil(percent / 100.0 * count);
        return sorted[Math.max(0, Math.min(count, rank) - 1)] / 1_000_000.0;
    }

    double medianMs() {
        return percentileMs(50);
    }

    double maxMs() {
        return percentileMs(100);
    }
}
