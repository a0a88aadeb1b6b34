package dev.quiesce.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The drain-latency results as one table per run: a plain-text version for stdout and a Markdown
 * version for {@code target/bench/drain-latency.md}. Not thread-safe.
 */
final class LatencyReport {

    /** The p99 goal for the marker reaction, both directions. */
    static final double MARKER_P99_GOAL_MS = 100.0;

    /** One run's figures and the conditions it ran in. */
    record Run(int number, String loadBefore, String loadAfter, LatencySamples[] samples) {}

    private final String header;
    private final List<Run> runs = new ArrayList<>();
    private String footnote = "";

    /** @param header lines describing the machine, the app and the trial counts */
    LatencyReport(String header) {
        this.header = header;
    }

    void add(Run run) {
        runs.add(run);
    }

    /** A line printed after the tables, e.g. which watcher path reacted. */
    void footnote(String line) {
        footnote = line;
    }

    /** True when every run's marker reaction p99 (both directions) met the goal with no timeouts. */
    boolean markerGoalMet() {
        for (Run run : runs) {
            for (LatencySamples samples : run.samples()) {
                if (samples.name().startsWith("marker") && !meetsGoal(samples)) {
                    return false;
                }
            }
        }
        return !runs.isEmpty();
    }

    String text() {
        StringBuilder out = new StringBuilder();
        out.append(header).append('\n');
        for (Run run : runs) {
            out.append('\n').append("Run ").append(run.number()).append("  (load average before: ")
                    .append(run.loadBefore()).append("; after: ").append(run.loadAfter()).append(")\n");
            out.append(String.format(Locale.ROOT, "  %-40s %5s %4s %9s %9s %9s %9s%n",
                    "measurement (ms)", "n", "t/o", "median", "p90", "p99", "max"));
            for (LatencySamples s : run.samples()) {
                out.append(String.format(Locale.ROOT, "  %-40s %5d %4d %9.2f %9.2f %9.2f %9.2f%s%n",
                        s.name(), s.count(), s.timeouts(), s.medianMs(), s.percentileMs(90), s.percentileMs(99),
                        s.maxMs(), goalNote(s)));
            }
        }
        if (!footnote.isEmpty()) {
            out.append('\n').append(footnote).append('\n');
        }
        out.append('\n').append(verdict()).append('\n');
        return out.toString();
    }

    String markdown() {
        StringBuilder out = new StringBuilder("# Drain latency\n\n");
        for (String line : header.split("\n")) {
            out.append("- ").append(line).append('\n');
        }
        for (Run run : runs) {
            out.append("\n## Run ").append(run.number()).append("\n\n")
                    .append("Load average before: ").append(run.loadBefore()).append("; after: ")
                    .append(run.loadAfter()).append(".\n\n")
                    .append("| measurement | n | timeouts | median ms | p90 ms | p99 ms | max ms |\n")
                    .append("|---|---:|---:|---:|---:|---:|---:|\n");
            for (LatencySamples s : run.samples()) {
                out.append(String.format(Locale.ROOT, "| %s%s | %d | %d | %.2f | %.2f | %.2f | %.2f |%n",
                        s.name(), goalNote(s), s.count(), s.timeouts(), s.medianMs(), s.percentileMs(90),
                        s.percentileMs(99), s.maxMs()));
            }
        }
        if (!footnote.isEmpty()) {
            out.append('\n').append(footnote).append('\n');
        }
        out.append('\n').append(verdict()).append('\n');
        return out.toString();
    }

    private String verdict() {
        return String.format(Locale.ROOT, "Marker reaction goal (p99 <= %.0f ms both ways, no timeouts): %s",
                MARKER_P99_GOAL_MS, markerGoalMet() ? "met" : "MISSED");
    }

    private static String goalNote(LatencySamples s) {
        if (!s.name().startsWith("marker")) {
            return "";
        }
        return meetsGoal(s) ? "" : "  (p99 goal missed)";
    }

    private static boolean meetsGoal(LatencySamples s) {
        return s.timeouts() == 0 && s.count() > 0 && s.percentileMs(99) <= MARKER_P99_GOAL_MS;
    }
}
