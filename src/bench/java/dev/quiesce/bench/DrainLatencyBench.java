package dev.quiesce.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;

/**
 * Entry point of the drain-latency benchmark ({@code ./mvnw -B -Pbench verify}). Starts the packaged
 * gateway as a child process with a fresh home, then runs measurement A (BeginDrain/CancelDrain
 * round trips) and measurement B (reaction to a marker file written or removed by another
 * process) {@code bench.runs} times against it, prints the table and writes it as Markdown.
 *
 * <p>System properties (the {@code bench} profile passes them through):
 * <ul>
 *   <li>{@code bench.jar} — the packaged {@code quarkus-run.jar}
 *   <li>{@code bench.out} — output folder (the Markdown report and the app's log)
 *   <li>{@code bench.trials} (200), {@code bench.warmup} (20), {@code bench.runs} (1)
 *   <li>{@code bench.appArgs} — extra JVM options for the app, space-separated
 * </ul>
 * Exits 0 when the measurements completed (whether or not the goal was met), 1 when they could not.
 */
public final class DrainLatencyBench {

    private DrainLatencyBench() {}

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(System.getProperty("bench.jar", "target/quarkus-app/quarkus-run.jar")).toAbsolutePath();
        Path out = Path.of(System.getProperty("bench.out", "target/bench")).toAbsolutePath();
        int trials = Integer.getInteger("bench.trials", 200);
        int warmup = Integer.getInteger("bench.warmup", 20);
        int runs = Integer.getInteger("bench.runs", 1);
        List<String> appArgs = Arrays.stream(System.getProperty("bench.appArgs", "").trim().split("\\s+"))
                .filter(s -> !s.isEmpty()).toList();
        Files.createDirectories(out);
        Path home = Files.createTempDirectory("quiesce-bench-home-");
        Path appLog = out.resolve("app.log");

        System.out.printf("Starting %s (home %s, log %s)%n", jar, home, appLog);
        long startNanos = System.nanoTime();
        LatencyReport report;
        int exit;
        try (AppProcess app = AppProcess.start(jar, home, appLog, appArgs)) {
            System.out.printf("Ready on 127.0.0.1:%d after %d ms (pid %d)%n", app.port(),
                    (System.nanoTime() - startNanos) / 1_000_000, app.pid());
            report = new LatencyReport(header(trials, warmup, runs, appArgs));
            try (ControlChannel control = new ControlChannel(app.port(), app.operatorToken())) {
                for (int run = 1; run <= runs; run++) {
                    String loadBefore = loadAverage();
                    System.out.printf("Run %d/%d: %d BeginDrain/CancelDrain pairs...%n", run, runs, trials);
                    LatencySamples[] api = new BeginDrainLatency(control).run(warmup, trials);
                    System.out.printf("Run %d/%d: %d marker write/delete pairs...%n", run, runs, trials);
                    LatencySamples[] marker = new MarkerReaction(control, home).run(warmup, trials);
                    report.add(new LatencyReport.Run(run, loadBefore, loadAverage(),
                            new LatencySamples[] {api[0], api[1], marker[0], marker[1]}));
                }
            }
            exit = app.stop();
            report.footnote(MarkerReactionThreads.summarize(appLog));
        } finally {
            deleteRecursively(home);
        }
        System.out.println();
        System.out.print(report.text());
        Path markdown = out.resolve("drain-latency.md");
        Files.writeString(markdown, report.markdown(), StandardCharsets.UTF_8);
        System.out.printf("%nWrote %s; the app exited with %d after SIGTERM.%n", markdown, exit);
    }

    private static String header(int trials, int warmup, int runs, List<String> appArgs) {
        return String.join("\n",
                "When: " + Instant.now().truncatedTo(ChronoUnit.SECONDS),
                "Machine: " + Runtime.getRuntime().availableProcessors() + " cores, Java "
                        + System.getProperty("java.version") + ", " + System.getProperty("os.name") + " "
                        + System.getProperty("os.version"),
                "App: packaged quarkus-run.jar as a child process, default config"
                        + (appArgs.isEmpty() ? "" : " plus " + String.join(" ", appArgs))
                        + "; one grpc-java Netty channel over loopback",
                "Trials: " + trials + " per measurement after " + warmup + " unrecorded warm-up trials; "
                        + runs + " run(s) against one app process",
                "A: sequential BeginDrain then CancelDrain, each call's round trip"
                        + " (BeginDrain includes marker fsync + rename + directory fsync)",
                "B: marker written by the harness (temp file, fsync, rename; timed from the rename) or deleted"
                        + " (timed from the unlink) until a kept-open WatchState stream shows the new phase",
                "Percentiles: nearest rank; t/o = no state change within 5 s");
    }

    /** {@code /proc/loadavg}'s first three fields, to show how busy the machine was. */
    private static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return fields[0] + " " + fields[1] + " " + fields[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
