package dev.quiesce.bench;

import dev.quiesce.bench.GateMicrobench.Row;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Section 6's tables and goals from {@link GateMicrobench} rows: this build's figures and, when a
 * baseline was measured ({@code bench.baselineJar}), the baseline's figure of the same benchmark,
 * threads and other turns beside each, with the ratio of the means (current / baseline). An empty
 * baseline list leaves those columns out. Stateless.
 */
final class GateTables {

    private static final String GATE = "admitAndRelease";

    private GateTables() {}

    /** The gate table: each row with its floor ratio (same threads and other turns). */
    static void gate(Report.Section s, List<Row> rows, List<Row> baseline) {
        List<String> columns = new ArrayList<>(List.of("benchmark", "threads", "other turns in flight",
                "mean ns/op ± 99.9% CI", "median iteration ns/op", "worst iteration ns/op", "gate / floor"));
        addBaselineColumns(columns, baseline);
        Report.Table table = s.table(columns.toArray(String[]::new));
        for (Row row : rows) {
            String ratio = "";
            if (row.name().startsWith(GATE)) {
                ratio = rows.stream().filter(f -> f.name().startsWith("floor") && f.threads() == row.threads()
                        && f.otherTurns() == row.otherTurns()).findFirst()
                        .map(f -> Report.num(row.mean() / f.mean(), "%.1f")).orElse("");
            }
            List<Object> cells = new ArrayList<>(List.of(row.name(), row.threads(), row.otherTurns(), meanAndError(row),
                    Report.num(row.medianIteration(), "%.1f"), Report.num(row.worstIteration(), "%.1f"), ratio));
            addBaselineCells(cells, row, baseline);
            table.row(cells.toArray());
        }
    }

    /** The call-path table (no other turns, no floor). */
    static void calls(Report.Section s, List<Row> rows, List<Row> baseline) {
        List<String> columns = new ArrayList<>(List.of("benchmark", "threads", "mean ns/op ± 99.9% CI",
                "median iteration ns/op", "worst iteration ns/op"));
        addBaselineColumns(columns, baseline);
        Report.Table table = s.table(columns.toArray(String[]::new));
        for (Row row : rows) {
            List<Object> cells = new ArrayList<>(List.of(row.name(), row.threads(), meanAndError(row),
                    Report.num(row.medianIteration(), "%.1f"), Report.num(row.worstIteration(), "%.1f")));
            addBaselineCells(cells, row, baseline);
            table.row(cells.toArray());
        }
    }

    /**
     * Goals 6a–6c of the issue, on the means of admit + release: at 1,000 other turns ≤ 500 ns (one
     * thread); at 10,000 within 2× the figure at 0 (one thread); with 2 threads and no other turns ≤ 500
     * ns per operation. Each measured figure names the baseline's beside it.
     */
    static void goals(Report.Section s, List<Row> rows, List<Row> baseline) {
        Row at1000 = find(rows, GATE + "1Thread", 1000).orElseThrow();
        s.goal("6a. admit + release, 1 thread, 1,000 other turns in flight", "≤ 500 ns",
                ns(at1000) + baselineNs(baseline, at1000), at1000.mean() <= 500);
        Row empty = find(rows, GATE + "1Thread", 0).orElseThrow();
        Row at10000 = find(rows, GATE + "1Thread", 10_000).orElseThrow();
        s.goal("6b. admit + release, 1 thread, 10,000 other turns in flight", "≤ 2 × the figure at 0 other turns",
                growth(at10000, empty) + find(baseline, at10000.name(), 10_000)
                        .flatMap(b -> find(baseline, empty.name(), 0).map(e -> " (baseline " + growth(b, e) + ")"))
                        .orElse(""),
                at10000.mean() <= 2 * empty.mean());
        Row twoThreads = find(rows, GATE + "2Threads", 0).orElseThrow();
        s.goal("6c. admit + release, 2 threads, 0 other turns", "≤ 500 ns per operation",
                ns(twoThreads) + baselineNs(baseline, twoThreads), twoThreads.mean() <= 500);
    }

    private static String growth(Row at, Row empty) {
        return ns(at) + " = " + Report.num(at.mean() / empty.mean(), "%.1f") + " × the " + ns(empty) + " at 0";
    }

    private static String ns(Row row) {
        return Report.num(row.mean(), "%.1f") + " ns";
    }

    private static String baselineNs(List<Row> baseline, Row row) {
        return find(baseline, row.name(), row.otherTurns()).map(b -> " (baseline " + ns(b) + ")").orElse("");
    }

    private static String meanAndError(Row row) {
        return Report.num(row.mean(), "%.1f") + " ± " + Report.num(row.error(), "%.1f");
    }

    private static void addBaselineColumns(List<String> columns, List<Row> baseline) {
        if (!baseline.isEmpty()) {
            columns.addAll(List.of("baseline mean ns/op ± 99.9% CI", "current / baseline"));
        }
    }

    private static void addBaselineCells(List<Object> cells, Row row, List<Row> baseline) {
        if (!baseline.isEmpty()) {
            Optional<Row> b = find(baseline, row.name(), row.otherTurns()).filter(r -> r.threads() == row.threads());
            cells.add(b.map(GateTables::meanAndError).orElse("–"));
            cells.add(b.map(r -> Report.num(row.mean() / r.mean(), "%.2f")).orElse("–"));
        }
    }

    private static Optional<Row> find(List<Row> rows, String name, int otherTurns) {
        return rows.stream().filter(r -> r.name().equals(name) && r.otherTurns() == otherTurns).findFirst();
    }
}
