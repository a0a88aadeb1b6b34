package dev.quiesce.bench;

import dev.quiesce.api.v1.InboundMessage;
import dev.quiesce.api.v1.TurnOutcome;
import dev.quiesce.api.v1.TurnResult;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Measurement 3: HandleMessage throughput, latency and server CPU per call through Quiesce (auth,
 * validation, the accept gate and the in-flight registry, the echo handler at 0 delay, metrics)
 * against peers of the same shape ({@code src/bench/bare}): the bare Quarkus echo, and the same echo
 * with Quiesce's extensions. All are packaged apps started the same way. Closed-loop load
 * ({@link ClosedLoop}); each slot has its own session, so no call is refused as busy. The apps are
 * measured in alternating rounds (Quiesce, peer, peer, Quiesce, peer, peer, ...) so a change in the
 * machine's background load hits all of them. Not thread-safe.
 */
final class DataPlane {

    /** One app under test and the channels to it; a slot uses channel {@code slot % size}. */
    record Target(String name, AppProcess app, List<GatewayChannel> channels) {}

    /** One app's rounds at one concurrency. */
    record Side(String app, List<ClosedLoop.Result> rounds, LatencySamples latency, long errors) {
        double medianPerSecond() {
            return median(rounds.stream().mapToDouble(ClosedLoop.Result::perSecond).toArray());
        }

        double medianCpuMicrosPerCall() {
            return median(rounds.stream().mapToDouble(ClosedLoop.Result::serverCpuMicrosPerCall).toArray());
        }

        private static double median(double[] values) {
            double[] sorted = values.clone();
            Arrays.sort(sorted);
            return sorted[(sorted.length - 1) / 2];
        }
    }

    /**
     * The sides of several launches as one: every round, every latency sample and every error of
     * each app, in the apps' order.
     */
    static Side[] pool(List<Side[]> launches) {
        Side[] pooled = new Side[launches.get(0).length];
        for (int i = 0; i < pooled.length; i++) {
            List<ClosedLoop.Result> rounds = new ArrayList<>();
            LatencySamples latency = new LatencySamples(launches.get(0)[i].app());
            long errors = 0;
            for (Side[] launch : launches) {
                rounds.addAll(launch[i].rounds());
                latency.addAll(launch[i].latency());
                errors += launch[i].errors();
            }
            pooled[i] = new Side(launches.get(0)[i].app(), rounds, latency, errors);
        }
        return pooled;
    }

    private final List<Target> targets;

    /** @param targets Quiesce first, then its peers */
    DataPlane(List<Target> targets) {
        this.targets = targets;
    }

    /** Below this much JIT compiler CPU in a 5 s warm-up step an app counts as warm. */
    private static final long QUIET_JIT_NANOS = 100_000_000L;

    /**
     * Unrecorded load on every app in 5 s steps until its JIT compiler threads used under 100 ms of
     * CPU in a step (the hot paths are compiled; on a busy 2-core machine that takes from 10 s to
     * over a minute), or {@code max} has passed.
     *
     * @return per app, how long it was warmed
     */
    Duration[] warmUp(int concurrency, Duration max) throws InterruptedException {
        Duration step = Duration.ofSeconds(5);
        Duration[] took = new Duration[targets.size()];
        for (int i = 0; i < targets.size(); i++) {
            Target target = targets.get(i);
            Duration spent = Duration.ZERO;
            while (spent.compareTo(max) < 0) {
                ClosedLoop.Result r = ClosedLoop.run("warm-up", concurrency, step, call(target.channels(), "warm"),
                        target.app());
                spent = spent.plus(step);
                if (r.jitCpuNanos() >= 0 && r.jitCpuNanos() < QUIET_JIT_NANOS) {
                    break;
                }
            }
            took[i] = spent;
        }
        return took;
    }

    /** Alternating rounds; one side per target, in the targets' order. */
    Side[] measure(int concurrency, int rounds, Duration each) throws InterruptedException {
        List<List<ClosedLoop.Result>> results = new ArrayList<>();
        targets.forEach(t -> results.add(new ArrayList<>()));
        for (int round = 0; round < rounds; round++) {
            for (int i = 0; i < targets.size(); i++) {
                // Reverse the order every other round so no app always follows the same one.
                int index = round % 2 == 0 ? i : targets.size() - 1 - i;
                Target target = targets.get(index);
                results.get(index).add(ClosedLoop.run(target.name(), concurrency, each,
                        call(target.channels(), "dp" + concurrency), target.app()));
            }
        }
        Side[] sides = new Side[targets.size()];
        for (int i = 0; i < sides.length; i++) {
            sides[i] = side(targets.get(i).name(), results.get(i));
        }
        return sides;
    }

    private static Side side(String app, List<ClosedLoop.Result> rounds) {
        LatencySamples all = new LatencySamples(app);
        long errors = 0;
        for (ClosedLoop.Result r : rounds) {
            all.addAll(r.latency());
            errors += r.errors();
        }
        return new Side(app, rounds, all, errors);
    }

    private static ClosedLoop.Call call(List<GatewayChannel> channels, String sessionPrefix) {
        InboundMessage[] messages = new InboundMessage[1024];
        return (slot, done) -> {
            InboundMessage message = messages[slot];
            if (message == null) {
                message = InboundMessage.newBuilder().setSessionId(sessionPrefix + "-" + slot)
                        .setChannel("bench:data-plane").setText("hello, how are you today?").build();
                messages[slot] = message;
            }
            channels.get(slot % channels.size()).gatewayAsync().handleMessage(message, new StreamObserver<>() {
                private boolean completed;

                @Override
                public void onNext(TurnResult result) {
                    completed = result.getOutcome() == TurnOutcome.TURN_OUTCOME_COMPLETED;
                }

                @Override
                public void onError(Throwable t) {
                    done.completed(false);
                }

                @Override
                public void onCompleted() {
                    done.completed(completed);
                }
            });
        };
    }

    /**
     * Renders one concurrency's sides and Quiesce's ratio to each peer.
     *
     * @return Quiesce's throughput ratio to each peer, in the peers' order
     */
    static double[] render(Report.Table table, int concurrency, Side[] sides) {
        for (Side s : sides) {
            table.row(s.app(), concurrency, Report.num(s.medianPerSecond(), "%.0f"), rates(s),
                    Report.ms(s.latency().medianMs()), Report.ms(s.latency().percentileMs(99)),
                    Report.num(s.medianCpuMicrosPerCall(), "%.1f"), s.errors());
        }
        Side q = sides[0];
        double[] ratios = new double[sides.length - 1];
        for (int i = 1; i < sides.length; i++) {
            Side peer = sides[i];
            ratios[i - 1] = q.medianPerSecond() / peer.medianPerSecond();
            table.row("**ratio Quiesce / " + peer.app() + "**", concurrency, "**" + Report.num(ratios[i - 1], "%.3f") + "**",
                    "", Report.num(q.latency().medianMs() / peer.latency().medianMs(), "%.2f"),
                    Report.num(q.latency().percentileMs(99) / peer.latency().percentileMs(99), "%.2f"),
                    Report.num(q.medianCpuMicrosPerCall() / peer.medianCpuMicrosPerCall(), "%.2f"), "");
        }
        return ratios;
    }

    private static String rates(Side s) {
        return String.join(", ", s.rounds().stream().map(r -> Report.num(r.perSecond(), "%.0f")).toList());
    }
}
