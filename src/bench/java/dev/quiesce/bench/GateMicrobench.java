package dev.quiesce.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
 */
final class GateMicrobench {

    /** One benchmark's figures; {@code otherTurns} is 0 for a benchmark without that parameter. */
    record Row(String name, int threads, int otherTurns, double mean, double error, double medianIteration,
            double worstIteration) {}

    private GateMicrobench() {}

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
}
