package dev.quiesce.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The whole benchmark's results as one Markdown document: a header, one section per measurement
 * (each with the load average before and after it, its tables and notes), and a closing table of
 * every goal with its measured figure. Printed to stdout as it grows and written to
 * {@code target/bench/results.md}. A section that throws is recorded as failed and the run goes
 * on. Not thread-safe.
 */
final class Report {

    /** What a section does; it adds tables, notes and goals to {@code section}. */
    interface Body {
        void run(Section section) throws Exception;
    }

    /** One goal of the issue and how the run met it. */
    record Goal(String what, String target, String measured, boolean met) {}

    private final StringBuilder markdown = new StringBuilder();
    private final List<Goal> goals = new ArrayList<>();
    private int failures;

    Report(String title, List<String> header) {
        markdown.append("# ").append(title).append("\n\n");
        for (String line : header) {
            markdown.append("- ").append(line).append('\n');
        }
        System.out.print(markdown);
    }

    /** Runs one section, timing it and recording the load average around it. */
    void section(String title, Body body) {
        String before = loadAverage();
        long started = System.nanoTime();
        System.out.printf("%n>>> %s (load average %s)%n", title, before);
        Section section = new Section();
        try {
            body.run(section);
        } catch (Exception | AssertionError e) {
            failures++;
            StringWriter trace = new StringWriter();
            e.printStackTrace(new PrintWriter(trace));
            System.out.println(trace);
            section.text("**This section failed:** `" + e + "` (stack trace on stdout).");
        }
        long seconds = Math.round((System.nanoTime() - started) / 1e9);
        StringBuilder out = new StringBuilder("\n## ").append(title).append("\n\n")
                .append("Load average (1/5/15 min) before: ").append(before).append("; after: ")
                .append(loadAverage()).append(". Took ").append(seconds).append(" s.\n");
        for (String part : section.parts) {
            out.append('\n').append(part);
        }
        System.out.print(out);
        markdown.append(out);
    }

    /** Sections that threw. */
    int failures() {
        return failures;
    }

    /** Appends the goal summary and writes the document. */
    Path write(Path out) throws IOException {
        StringBuilder summary = new StringBuilder("\n## Goals\n\n")
                .append("| goal | target | measured | verdict |\n|---|---|---|---|\n");
        for (Goal goal : goals) {
            summary.append("| ").append(goal.what()).append(" | ").append(goal.target()).append(" | ")
                    .append(goal.measured()).append(" | ").append(goal.met() ? "met" : "**missed**").append(" |\n");
        }
        if (failures > 0) {
            summary.append("\n").append(failures).append(" section(s) failed; see above.\n");
        }
        System.out.print(summary);
        markdown.append(summary);
        Path file = out.resolve("results.md");
        Files.createDirectories(out);
        Files.writeString(file, markdown);
        return file;
    }

    /** {@code /proc/loadavg}'s first three fields, to show how busy the machine was. */
    static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return fields[0] + " " + fields[1] + " " + fields[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    static String ms(double millis) {
        return Double.isNaN(millis) ? "–" : String.format(Locale.ROOT, millis < 10 ? "%.2f" : "%.1f", millis);
    }

    static String num(double value, String format) {
        return Double.isNaN(value) ? "–" : String.format(Locale.ROOT, format, value);
    }

    /** One section's content, in order. */
    final class Section {
        private final List<String> parts = new ArrayList<>();

        void text(String paragraph) {
            parts.add(paragraph + "\n");
        }

        Table table(String... columns) {
            Table table = new Table(columns);
            parts.add(""); // placeholder, replaced when rendered
            int index = parts.size() - 1;
            table.onRender = rendered -> parts.set(index, rendered);
            return table;
        }

        void goal(String what, String target, String measured, boolean met) {
            goals.add(new Goal(what, target, measured, met));
            parts.add("Goal — " + what + ": " + target + "; measured " + measured + " → "
                    + (met ? "met" : "**missed**") + ".\n");
        }
    }

    /** A Markdown table; re-rendered into its section on every row. */
    static final class Table {
        private final String[] columns;
        private final List<String[]> rows = new ArrayList<>();
        private java.util.function.Consumer<String> onRender = s -> {};

        Table(String... columns) {
            this.columns = columns;
        }

        Table row(Object... cells) {
            String[] row = new String[columns.length];
            for (int i = 0; i < columns.length; i++) {
                row[i] = i < cells.length ? String.valueOf(cells[i]) : "";
            }
            rows.add(row);
            onRender.accept(render());
            return this;
        }

        String render() {
            StringBuilder out = new StringBuilder("| ").append(String.join(" | ", columns)).append(" |\n|");
            for (int i = 0; i < columns.length; i++) {
                out.append(i == 0 ? "---|" : "---:|");
            }
            out.append('\n');
            for (String[] row : rows) {
                out.append("| ").append(String.join(" | ", row)).append(" |\n");
            }
            return out.toString();
        }
    }
}
