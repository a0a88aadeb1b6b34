package dev.quiesce.bench;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs a JMH benchmark class ({@link GateBenchmark}, {@link CallPathBenchmark}) with JMH (one fork, in its own JVM) and turns the results into rows:
 * the mean ns/op with JMH's 99.9% confidence half-width, and the median and worst of the
 * measurement iterations' means (JMH's average-time mode yields one mean per iteration, so these
 * are the closest honest "median / p99" of a sub-microsecond operation; a per-call p99 would mostly
 * measure the timer). Stateless.
 *
 * <p>{@link #runOnBaseline} runs the same benchmark classes on another build's classes: a child JVM
 * whose class path is that build's {@code quarkus-app} (its application jar and libraries, not the
 * Quarkus-transformed copies, as the bench's own run uses {@code target/classes}), then the bench
 * classes and JMH; JMH's fork inherits that class path. The child is {@link #main}, which writes its
 * rows to a file, one {@link Row#line()} each. The caller holds the {@link JmhLock} meanwhile.
 */
final class GateMicrobench {

    /** One benchmark's figures; {@code otherTurns} is 0 for a benchmark without that parameter. */
    record Row(String name, int threads, int otherTurns, double mean, double error, double medianIteration,
            double worstIteration) {

        /** One line, tab-separated, as {@link #parse} reads it. */
        String line() {
            return String.join("\t", name, String.valueOf(threads), String.valueOf(otherTurns), String.valueOf(mean),
                    String.valueOf(error), String.valueOf(medianIteration), String.valueOf(worstIteration));
        }

        static Row parse(String line) {
            String[] f = line.split("\t");
            return new Row(f[0], Integer.parseInt(f[1]), Integer.parseInt(f[2]), Double.parseDouble(f[3]),
                    Double.parseDouble(f[4]), Double.parseDouble(f[5]), Double.parseDouble(f[6]));
        }
    }

    private GateMicrobench() {}

    /**
     * The child JVM of {@link #runOnBaseline}: {@code <rows file> <warm-up iterations> <measured
     * iterations> <benchmark class>}. Exits 0 once the rows are written, 1 when JMH failed.
     */
    public static void main(String[] args) throws Exception {
        Class<?> benchmark = Class.forName(args[3]);
        List<Row> rows = run(benchmark, Integer.parseInt(args[1]), Integer.parseInt(args[2]));
        Files.write(Path.of(args[0]), rows.stream().map(Row::line).toList(), StandardCharsets.UTF_8);
        System.exit(0);
    }

    static List<Row> run(Class<?> benchmark, int warmupSeconds, int measureSeconds) throws RunnerException {
        Options options = new OptionsBuilder()
                .include(benchmark.getName() + "\\.")
                .forks(1)
                .warmupIterations(warmupSeconds)
                .warmupTime(TimeValue.seconds(1))
                .measurementIterations(measureSeconds)
                .measurementTime(TimeValue.seconds(1))
                .timeUnit(TimeUnit.NANOSECONDS)
                .shouldFailOnError(true)
                .build();
        Collection<RunResult> results = new Runner(options).run();
        List<Row> rows = new ArrayList<>();
        for (RunResult result : results) {
            BenchmarkResult aggregate = result.getAggregatedResult();
            List<Double> iterations = new ArrayList<>();
            for (BenchmarkResult fork : result.getBenchmarkResults()) {
                for (IterationResult iteration : fork.getIterationResults()) {
                    iterations.add(iteration.getPrimaryResult().getScore());
                }
            }
            iterations.sort(Double::compare);
            String label = result.getParams().getBenchmark();
            label = label.substring(label.lastIndexOf('.') + 1);
            String otherTurns = result.getParams().getParam("otherTurns");
            rows.add(new Row(label, result.getParams().getThreads(),
                    otherTurns == null ? 0 : Integer.parseInt(otherTurns), aggregate.getPrimaryResult().getScore(),
                    aggregate.getPrimaryResult().getScoreError(), iterations.get((iterations.size() - 1) / 2),
                    iterations.get(iterations.size() - 1)));
        }
        return rows;
    }

    /**
     * Runs {@code benchmark} as {@link #run} does, on the classes of the build whose
     * {@code quarkus-run.jar} is {@code baselineJar}, in a child JVM whose output goes to {@code log}.
     *
     * @throws IllegalStateException when the child fails (a bench class that does not link against the
     *     baseline's classes, e.g. a constructor it lacks, ends up here; {@code log} has the trace)
     */
    static List<Row> runOnBaseline(Path baselineJar, Class<?> benchmark, int warmupSeconds, int measureSeconds,
            Path log) throws IOException, InterruptedException {
        Path rows = Files.createTempFile("quiesce-jmh-baseline-", ".tsv");
        try {
            List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    JmhLock.CHILD_OPTION, "-cp",
                    baselineClassPath(baselineJar.getParent()), GateMicrobench.class.getName(), rows.toString(),
                    String.valueOf(warmupSeconds), String.valueOf(measureSeconds), benchmark.getName());
            Files.writeString(log, "\n==== " + String.join(" ", command) + "\n", StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            Process child = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            int code = child.waitFor();
            if (code != 0) {
                throw new IllegalStateException("JMH of " + benchmark.getSimpleName() + " on the baseline exited with "
                        + code + "; see " + log);
            }
            return Files.readAllLines(rows, StandardCharsets.UTF_8).stream().filter(l -> !l.isBlank())
                    .map(Row::parse).toList();
        } finally {
            Files.deleteIfExists(rows);
        }
    }

    /**
     * The baseline's {@code app/}, {@code lib/main/} and {@code lib/boot/} jars (in that order, so its
     * classes come before any copy elsewhere), then where the bench classes and JMH (with its two
     * libraries) were loaded from, and JUnit's API with opentest4j: untransformed classes'
     * {@code io.quarkus.logging.Log} works outside Quarkus only where it finds JUnit's {@code Assertions}
     * (it takes that for a test), as on the bench's own test class path.
     */
    private static String baselineClassPath(Path quarkusApp) throws IOException {
        List<String> entries = new ArrayList<>();
        for (String folder : List.of("app", "lib/main", "lib/boot")) {
            try (Stream<Path> jars = Files.list(quarkusApp.resolve(folder))) {
                jars.filter(p -> p.toString().endsWith(".jar")).sorted().forEach(p -> entries.add(p.toString()));
            }
        }
        for (Class<?> c : List.of(GateMicrobench.class, Runner.class, joptsimple.OptionParser.class,
                org.apache.commons.math3.stat.descriptive.StatisticalSummary.class,
                org.junit.jupiter.api.Assertions.class, org.opentest4j.AssertionFailedError.class)) {
            entries.add(location(c));
        }
        return String.join(java.io.File.pathSeparator, entries);
    }

    private static String location(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException("where " + c.getName() + " was loaded from", e);
        }
    }
}
