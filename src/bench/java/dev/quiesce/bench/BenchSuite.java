package dev.quiesce.bench;

import dev.quiesce.api.v1.BeginDrainRequest;
import dev.quiesce.api.v1.TurnOutcome;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Entry point of the benchmark suite ({@code ./mvnw -B -Pbench verify}; src/bench/BENCHMARKS.md
 * explains every section). Starts the packaged gateway (and, for the comparisons, the bare peer
 * and a reference-design gateway) as child processes on loopback, runs the measurements of issue 7
 * in order, prints the results as Markdown and writes them to {@code <bench.out>/results.md}.
 *
 * <p>System properties (the {@code bench} profile passes them through; defaults in brackets):
 * <ul>
 *   <li>{@code bench.jar}, {@code bench.bareJar}, {@code bench.bareExtJar} — the gateway's and the two
 *       peers' {@code quarkus-run.jar}
 *   <li>{@code bench.out} — output folder (results and the apps' logs)
 *   <li>{@code bench.sections} [all] — comma list of 1..8 (or names: admission, marker, data, control,
 *       fanout, gate, process, inbox) to run a subset
 *   <li>{@code bench.trials} [200], {@code bench.warmup} [20], {@code bench.runs} [1] — marker reaction
 *       and BeginDrain round trips (section 2)
 *   <li>{@code bench.toggles} [1000], {@code bench.markerToggles} [200], {@code bench.referenceToggles}
 *       [20], {@code bench.ingressThreads} [4] — section 1
 *   <li>{@code bench.seconds} [4], {@code bench.rounds} [3], {@code bench.connections} [2],
 *       {@code bench.warmupSeconds} [60, the most] — sections 3, 4
 *   <li>{@code bench.launches} [3] — section 3: how many times the three apps are started and measured
 *   <li>{@code bench.baselineJar} [none] — another build of the gateway (its {@code quarkus-run.jar},
 *       in a copy of that build's {@code target/quarkus-app}), measured in the same run so a change's
 *       effect (or that of {@code bench.quiesceArgs}) is seen side by side: section 3 starts it with
 *       {@code bench.appArgs} beside the others in every launch; section 6 runs the same JMH benchmarks
 *       on its classes ({@code app/} and {@code lib/} jars) in a child JVM; section 7 starts it in the
 *       same rotation as the others, with {@code bench.appArgs}
 *   <li>{@code bench.extraJars} [none] — section 3: more apps to measure beside the others in every
 *       launch, as a comma list of {@code label=path/to/quarkus-run.jar} (e.g. knock-out builds of the
 *       echo with extensions, BENCHMARKS.md), started with {@code bench.appArgs}
 *   <li>{@code bench.subscribers} [1000], {@code bench.fanoutTrials} [25] — section 5
 *   <li>{@code bench.jmhIterations} [4] — section 6: measured 1 s iterations (half as many warm-up ones)
 *   <li>{@code bench.starts} [5] — section 7, per app
 *   <li>{@code bench.inboxSessions} [1000], {@code bench.inboxEntries} [5000], {@code bench.inboxRestart} [10000]
 *       — section 8: sessions the messages rotate over, entries per replay, entries through the restart (each
 *       also sent to a gateway with the inbox off, the reference design)
 *   <li>{@code bench.resumeTrials} [3] — section 8 (d): trials per number of cut-off turns (1 and 50) of the
 *       restart with turns running; the reference design (resume off) gets one each
 *   <li>{@code bench.appArgs} — extra JVM options for every app started, space-separated
 *   <li>{@code bench.quiesceArgs} — extra JVM options for the gateway of sections 1–5 only (e.g. a JFR
 *       recording: {@code -XX:StartFlightRecording=filename=/tmp/quiesce.jfr,settings=profile})
 * </ul>
 * Exits 0 when every section completed (whether or not its goal was met), 1 when one could not.
 */
public final class BenchSuite {

    private static final Duration IDLE_BEFORE_RSS = Duration.ofSeconds(2);
    private static final String QUIESCE = "Quiesce";
    private static final String BARE = "bare Quarkus gRPC echo";
    private static final String BARE_EXT = "echo + Quiesce's extensions";
    private static final String QUIESCE_CDS = "Quiesce with AppCDS";
    private static final String RESTART = ", restart on its home";
    /** The AppCDS archive the package step writes beside quarkus-run.jar. */
    private static final String APPCDS_ARCHIVE = "app-cds.jsa";
    private static final String BASELINE = "Quiesce baseline (bench.baselineJar)";
    private static final String INBOX = "Quiesce (inbox)";
    private static final String NO_INBOX = "reference design (no inbox): refuses / loses";
    /** The reference design's inbox: refuse every message while paused, record no cut-off turn. */
    private static final List<String> REFERENCE_INBOX = List.of("-Dquiesce.inbox.mode=refuse",
            "-Dquiesce.inbox.resume=false");

    private final Path jar = absolute("bench.jar", "target/quarkus-app/quarkus-run.jar");
    private final Path bareJar = absolute("bench.bareJar", "target/bench-bare/quarkus-app/quarkus-run.jar");
    private final Path bareExtJar = absolute("bench.bareExtJar", "target/bench-bare-ext/quarkus-app/quarkus-run.jar");
    private final Path out = absolute("bench.out", "target/bench");
    /** The apps section 3 measures besides Quiesce and the two peers: the baseline, then the extra jars. */
    private final List<Extra> extras = extras();
    private final Set<String> sections = sections(System.getProperty("bench.sections", "all"));
    private final List<String> appArgs = options("bench.appArgs");
    /** Quiesce's JVM options: {@code bench.appArgs} plus {@code bench.quiesceArgs} (e.g. a JFR recording). */
    private final List<String> quiesceArgs = concat(appArgs, options("bench.quiesceArgs"));
    private final int trials = Integer.getInteger("bench.trials", 200);
    private final int warmup = Integer.getInteger("bench.warmup", 20);
    private final int runs = Integer.getInteger("bench.runs", 1);
    private final int toggles = Integer.getInteger("bench.toggles", 1000);
    private final int markerToggles = Integer.getInteger("bench.markerToggles", 200);
    private final int referenceToggles = Integer.getInteger("bench.referenceToggles", 20);
    private final int ingressThreads = Integer.getInteger("bench.ingressThreads", 4);
    private final Duration round = Duration.ofSeconds(Integer.getInteger("bench.seconds", 4));
    private final Duration warmUp = Duration.ofSeconds(Integer.getInteger("bench.warmupSeconds", 60));
    private final int rounds = Integer.getInteger("bench.rounds", 3);
    private final int connections = Integer.getInteger("bench.connections", 2);
    private final int launches = Integer.getInteger("bench.launches", 3);
    private final int subscribers = Integer.getInteger("bench.subscribers", 1000);
    private final int fanoutTrials = Integer.getInteger("bench.fanoutTrials", 25);
    private final int jmhIterations = Integer.getInteger("bench.jmhIterations", 4);
    private final int starts = Integer.getInteger("bench.starts", 5);
    private final int inboxSessions = Integer.getInteger("bench.inboxSessions", 1000);
    private final int inboxEntries = Integer.getInteger("bench.inboxEntries", 5000);
    private final int inboxRestart = Integer.getInteger("bench.inboxRestart", 10_000);
    private final int resumeTrials = Integer.getInteger("bench.resumeTrials", 3);

    private BenchSuite() {}

    public static void main(String[] args) throws Exception {
        System.exit(new BenchSuite().run());
    }

    private int run() throws Exception {
        Files.createDirectories(out);
        long began = System.nanoTime();
        Report report = new Report("Quiesce benchmark results", header());
        if (wants("1", "2", "3", "4", "5")) {
            Path home = tempHome();
            try (AppProcess app = AppProcess.start(jar, home, out.resolve("app-quiesce.log"), quiesceArgs);
                    GatewayChannel control = new GatewayChannel(app.port(), app.operatorToken())) {
                System.out.printf("Quiesce ready on 127.0.0.1:%d after %.0f ms (pid %d)%n", app.port(),
                        app.readyMillis(), app.pid());
                if (wants("1")) {
                    report.section("1. Turns started after the drain request was acknowledged",
                            s -> admission(s, app, control));
                }
                if (wants("2")) {
                    report.section("2. External marker reaction (and the BeginDrain round trip)",
                            s -> markerReaction(s, app, control));
                }
                if (wants("3")) {
                    report.section("3. Data-plane overhead: HandleMessage through Quiesce vs a bare Quarkus echo",
                            s -> dataPlane(s, app));
                }
                if (wants("4")) {
                    report.section("4. Control plane: GetState latency and throughput", s -> controlPlane(s, app));
                }
                if (wants("5")) {
                    report.section("5. Fan-out: " + subscribers + " WatchState subscribers",
                            s -> fanOut(s, app, control));
                }
            } finally {
                deleteRecursively(home);
            }
        }
        if (wants("6")) {
            report.section("6. Gate micro-benchmark (JMH): tryAdmit + release", this::gate);
        }
        if (wants("7")) {
            report.section("7. Process figures: start → ready, idle RSS, SIGTERM → exit", this::processFigures);
        }
        if (wants("8")) {
            report.section("8. Inbox: the DEFERRED round trip, replay throughput, " + inboxRestart
                    + " entries through a restart, turns resumed after a restart (beside the reference design)",
                    this::inbox);
        }
        Path written = report.write(out);
        System.out.printf("%nWrote %s after %d s.%n", written, TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - began));
        return report.failures() == 0 ? 0 : 1;
    }

    // ------------------------------------------------------------------------------- sections

    private void admission(Report.Section s, AppProcess app, GatewayChannel control) throws Exception {
        List<AdmissionAfterAck.Exposure> designs = new ArrayList<>();
        List<GatewayChannel> ingress = channels(app, connections);
        try {
            AdmissionAfterAck bench = new AdmissionAfterAck(ingress, control, ingressThreads);
            designs.add(bench.viaBeginDrain(Math.min(50, toggles / 10), toggles));
            designs.add(bench.viaMarkerFile("Quiesce: marker file written by another process (fs watch)", app.home(),
                    Math.min(20, markerToggles / 10), markerToggles, 0));
        } finally {
            closeAll(ingress);
        }
        Path home = tempHome();
        List<String> reference = new ArrayList<>(appArgs);
        reference.add("-Dquiesce.marker.watch-enabled=false");
        reference.add("-Dquiesce.marker.poll-interval=1s");
        // The reference has no inbox: a message during a drain is refused, and no session waits for saved ones.
        reference.add("-Dquiesce.inbox.mode=refuse");
        try (AppProcess polled = AppProcess.start(jar, home, out.resolve("app-reference-design.log"), reference);
                GatewayChannel polledControl = new GatewayChannel(polled.port(), polled.operatorToken())) {
            List<GatewayChannel> polledIngress = channels(polled, connections);
            try {
                designs.add(new AdmissionAfterAck(polledIngress, polledControl, ingressThreads).viaMarkerFile(
                        "reference design: marker file, 1 s poll (Quiesce with the fs watch and the inbox off)", polled.home(), 2,
                        referenceToggles, 1000));
            } finally {
                closeAll(polledIngress);
            }
        } finally {
            deleteRecursively(home);
        }
        s.text(ingressThreads + " ingress threads (blocking grpc-java stubs over " + connections
                + " connections, one session each) send HandleMessage to the echo handler (0 delay) as fast as the "
                + "answers come, while a drain is requested and lifted again and again. \"Ack\" is the moment the "
                + "requester is told the drain is in force: the BeginDrain reply received, or — for a drain requested "
                + "by writing the marker file, as the reference's dashboard did — the rename of the file returned. "
                + "A call whose send time was taken after the ack and whose answer arrived before the resume request "
                + "was sent was handled inside the drain; if it answers COMPLETED, a user turn started after the ack. "
                + "(The answer bound matters: a client thread descheduled between reading the clock and sending may "
                + "send after the resume, and is then rightly admitted.) \"Request → in force\" is the BeginDrain "
                + "round trip, or the time from the rename until a WatchState stream shows DRAINING. Each toggle "
                + "holds the drain 10 ms and runs 5 ms between drains; the reference design's writes are spread "
                + "uniformly over its 1 s poll period. \"While the request was in flight\": COMPLETED calls sent "
                + "between the request and its ack, which may rightly start. The messages carry a channel, so "
                + "Quiesce (inbox mode defer, the default) answers one sent inside a drain DEFERRED, saved and run "
                + "after the drain, and a session with saved messages waits for them: those calls are the "
                + "difference between handled and refused below, and neither is a turn started inside the drain. "
                + "The reference design runs with the inbox off, as the original had none.");
        AdmissionAfterAck.render(s, designs);
        AdmissionAfterAck.Exposure api = designs.get(0);
        AdmissionAfterAck.Exposure polled = designs.get(designs.size() - 1);
        s.text(String.format("Side by side: after the acknowledgement Quiesce's BeginDrain let %d user turns start "
                        + "in %d toggles; the reference design let %d start in %d toggles (%.1f per drain, at %.0f ingress "
                        + "calls/s).", api.exposedTotal(), api.toggles(), polled.exposedTotal(), polled.toggles(),
                (double) polled.exposedTotal() / polled.toggles(), polled.ingressPerSecond()));
        s.goal("1. user turns started after the BeginDrain ack, full ingress load", "0 across ≥ 1,000 toggles",
                api.exposedTotal() + " across " + api.toggles() + " toggles (" + api.windowCalls()
                        + " calls handled inside those drains, " + api.windowRefused() + " refused)",
                api.exposedTotal() == 0 && api.toggles() >= 1000 && api.windowCalls() > 0);
    }

    private void markerReaction(Report.Section s, AppProcess app, GatewayChannel control) throws Exception {
        Report.Table table = s.table("run", "measurement", "n", "timeouts", "median ms", "p90 ms", "p99 ms", "max ms");
        boolean met = true;
        List<LatencySamples> markers = new ArrayList<>();
        for (int run = 1; run <= runs; run++) {
            LatencySamples[] api = new BeginDrainLatency(control).run(warmup, trials);
            LatencySamples[] marker = new MarkerReaction(control, app.home()).run(warmup, trials);
            for (LatencySamples x : List.of(api[0], api[1], marker[0], marker[1])) {
                table.row(run, x.name(), x.count(), x.timeouts(), Report.ms(x.medianMs()),
                        Report.ms(x.percentileMs(90)), Report.ms(x.percentileMs(99)), Report.ms(x.maxMs()));
            }
            for (LatencySamples x : marker) {
                met &= x.timeouts() == 0 && x.count() >= 200 && x.percentileMs(99) <= 100;
                markers.add(x);
            }
        }
        s.text("A: sequential BeginDrain then CancelDrain from one client, each call's round trip (BeginDrain "
                + "includes the marker's fsync, rename and directory fsync). B: the harness writes a reference-format "
                + "marker (temp file, fsync, rename; timed from the rename) or deletes it (timed from the unlink) until "
                + "a kept-open WatchState stream shows the new phase. " + trials + " trials after " + warmup
                + " unrecorded; t/o = no change within 5 s. The reference gateway polls once a second: up to 1,000 ms.");
        s.text(MarkerReactionThreads.summarize(out.resolve("app-quiesce.log")) + ".");
        StringBuilder measured = new StringBuilder();
        for (LatencySamples x : markers) {
            measured.append(measured.length() == 0 ? "" : "; ").append("p99 ").append(Report.ms(x.percentileMs(99)))
                    .append(" ms ").append(x.name().contains("DRAINING") ? "(write)" : "(delete)");
        }
        s.goal("2. marker file → WatchState, ≥ 200 trials", "p99 ≤ 100 ms both ways, no timeouts",
                measured.toString(), met);
    }

    private void dataPlane(Report.Section s, AppProcess quiesce) throws Exception {
        List<DataPlane.Side[]> one = new ArrayList<>();
        List<DataPlane.Side[]> sixteen = new ArrayList<>();
        List<String> warmed = new ArrayList<>();
        for (int launch = 0; launch < launches; launch++) {
            Path home = launch == 0 ? null : tempHome();
            // The first launch measures the gateway every section shares; each later one starts all
            // three apps afresh, because one JVM's JIT outcome is not the next one's.
            try (AppProcess fresh = home == null ? null
                    : AppProcess.start(jar, home, out.resolve("app-quiesce-" + launch + ".log"), quiesceArgs)) {
                DataPlane.Side[][] sides = dataPlaneLaunch(fresh == null ? quiesce : fresh, launch, warmed);
                one.add(sides[0]);
                sixteen.add(sides[1]);
            } finally {
                if (home != null) {
                    deleteRecursively(home);
                }
            }
        }
        Report.Table table = s.table("app", "concurrent calls", "calls/s (median round)", "calls/s per round",
                "latency median ms", "latency p99 ms", "server CPU µs/call (median round)", "errors");
        DataPlane.render(table, 1, DataPlane.pool(one));
        double[] ratios = DataPlane.render(table, 16, DataPlane.pool(sixteen));
        List<String> columns = new ArrayList<>(List.of("launch", "Quiesce calls/s", "echo + extensions calls/s",
                "bare echo calls/s", "Quiesce / echo + extensions", "Quiesce / bare",
                "server CPU µs/call: Quiesce / echo + extensions / bare"));
        for (Extra extra : extras) {
            columns.addAll(List.of(extra.label() + " calls/s", "Quiesce / " + extra.label(),
                    extra.label() + " server CPU µs/call"));
        }
        Report.Table perLaunch = s.table(columns.toArray(String[]::new));
        for (int launch = 0; launch < launches; launch++) {
            DataPlane.Side[] l = sixteen.get(launch);
            List<Object> row = new ArrayList<>(List.of(launch + 1, Report.num(l[0].medianPerSecond(), "%.0f"),
                    Report.num(l[1].medianPerSecond(), "%.0f"), Report.num(l[2].medianPerSecond(), "%.0f"),
                    Report.num(l[0].medianPerSecond() / l[1].medianPerSecond(), "%.3f"),
                    Report.num(l[0].medianPerSecond() / l[2].medianPerSecond(), "%.3f"),
                    Report.num(l[0].medianCpuMicrosPerCall(), "%.1f") + " / "
                            + Report.num(l[1].medianCpuMicrosPerCall(), "%.1f") + " / "
                            + Report.num(l[2].medianCpuMicrosPerCall(), "%.1f")));
            for (int i = 3; i < l.length; i++) {
                row.addAll(List.of(Report.num(l[i].medianPerSecond(), "%.0f"),
                        Report.num(l[0].medianPerSecond() / l[i].medianPerSecond(), "%.3f"),
                        Report.num(l[i].medianCpuMicrosPerCall(), "%.1f")));
            }
            perLaunch.row(row.toArray());
        }
        s.text("Closed loop: each of the concurrent calls is re-issued when its answer arrives; every slot has its "
                + "own session (no busy refusals). Concurrency 16 runs over " + connections + " connections "
                + "(concurrency 1 over the first). " + launches + " launches of the three apps; in each, " + rounds
                + " rounds of " + round.toSeconds() + " s per app, the apps alternating, after an unrecorded warm-up "
                + "at 16 concurrent calls until the app's JIT compiler was quiet (under 100 ms CPU in 5 s; at most "
                + warmUp.toSeconds() + " s; per launch, Quiesce / echo + extensions / bare"
                + extras.stream().map(e -> " / " + e.label()).collect(Collectors.joining()) + ": "
                + String.join(", ", warmed)
                + "). The first table pools the rounds of every launch (medians over all of them); the second gives "
                + "each launch at 16 concurrent calls, because the same jar lands on a fast or a slow JIT outcome "
                + "per JVM (BENCHMARKS.md, data plane). Latency percentiles pool every call. Server CPU is the app "
                + "process's user + system time (/proc/<pid>/task/*/stat, 10 ms ticks) during the round without its "
                + "JIT compiler threads, per completed call: unlike calls/s it hardly depends on how much of the 2 "
                + "cores the machine's other work leaves us. At one call at a time it is dominated by the event loop "
                + "waking up for every call and the app's periodic work, so compare it at 16. The load generator "
                + "shares the 2 cores with the server, as it would on one machine; its cost per call is the same for "
                + "every app. Peers (src/bench/bare): \"" + BARE + "\" has the same proto, Quarkus, one-port gRPC "
                + "setup and Mutiny service shape and nothing else; \"" + BARE_EXT + "\" adds every extension Quiesce "
                + "uses (REST, health, scheduler, Jackson, Micrometer/Prometheus) but none of Quiesce's code."
                + extras.stream().map(e -> " \"" + e.label() + "\" is " + e.jar() + ".").collect(Collectors.joining())
                + (extras.isEmpty() ? "" : " They are started in every launch with the peers' options (bench.appArgs; "
                        + "bench.quiesceArgs is Quiesce's alone)."));
        s.goal("3. HandleMessage throughput, Quiesce / bare Quarkus echo (16 concurrent)", "≥ 0.95",
                Report.num(ratios[1], "%.3f") + " (vs the echo with Quiesce's extensions: "
                        + Report.num(ratios[0], "%.3f") + ")", ratios[1] >= 0.95);
    }

    /**
     * One launch of section 3: fresh peers next to {@code quiesce}, warmed up, then measured.
     *
     * @return the sides at 1 and at 16 concurrent calls (Quiesce, echo + extensions, bare echo)
     */
    private DataPlane.Side[][] dataPlaneLaunch(AppProcess quiesce, int launch, List<String> warmed)
            throws Exception {
        Path bareHome = tempHome();
        Path extHome = tempHome();
        List<GatewayChannel> all = new ArrayList<>();
        List<AppProcess> extraApps = new ArrayList<>();
        List<Path> extraHomes = new ArrayList<>();
        try (AppProcess bare = AppProcess.start(bareJar, bareHome, out.resolve("app-bare-" + launch + ".log"), appArgs);
                AppProcess ext = AppProcess.start(bareExtJar, extHome, out.resolve("app-bare-ext-" + launch + ".log"),
                        appArgs)) {
            List<Object[]> apps = new ArrayList<>(List.of(new Object[] {QUIESCE, quiesce}, new Object[] {BARE_EXT, ext},
                    new Object[] {BARE, bare}));
            for (int i = 0; i < extras.size(); i++) {
                Path home = tempHome();
                extraHomes.add(home);
                AppProcess app = AppProcess.start(extras.get(i).jar(), home,
                        out.resolve("app-extra-" + (i + 1) + "-" + launch + ".log"), appArgs);
                extraApps.add(app);
                apps.add(new Object[] {extras.get(i).label(), app});
            }
            List<DataPlane.Target> targets = new ArrayList<>();
            for (Object[] t : apps) {
                List<GatewayChannel> channels = channels((AppProcess) t[1], connections);
                all.addAll(channels);
                targets.add(new DataPlane.Target((String) t[0], (AppProcess) t[1], channels));
            }
            DataPlane bench = new DataPlane(targets);
            Duration[] took = bench.warmUp(16, warmUp);
            warmed.add(String.join(" / ", Arrays.stream(took).map(d -> d.toSeconds() + " s").toList()));
            return new DataPlane.Side[][] {bench.measure(1, rounds, round), bench.measure(16, rounds, round)};
        } finally {
            closeAll(all);
            for (AppProcess app : extraApps) {
                app.close();
            }
            deleteRecursively(bareHome);
            deleteRecursively(extHome);
            for (Path home : extraHomes) {
                deleteRecursively(home);
            }
        }
    }

    private void controlPlane(Report.Section s, AppProcess app) throws Exception {
        List<GatewayChannel> channels = channels(app, connections);
        try {
            ControlPlane bench = new ControlPlane(app, channels);
            Duration warmed = bench.warmUp(16, warmUp.dividedBy(2)); // the transport is warm from section 3
            Report.Table table = s.table("call", "concurrent callers", "calls/s", "median ms", "p99 ms", "max ms",
                    "server CPU µs/call", "errors", "GetState / Check throughput");
            String best = "none";
            boolean met = false;
            double bestRate = 0;
            for (int n : new int[] {1, 4, 16, 64}) {
                ClosedLoop.Result get = bench.getState(n, round);
                ClosedLoop.Result check = bench.healthCheck(n, round);
                double ratio = get.perSecond() / check.perSecond();
                for (ClosedLoop.Result r : List.of(get, check)) {
                    table.row(r == get ? "GetState (token, mapping)" : "Health/Check (framework peer)", n,
                            Report.num(r.perSecond(), "%.0f"), Report.ms(r.latency().medianMs()),
                            Report.ms(r.latency().percentileMs(99)), Report.ms(r.latency().maxMs()),
                            Report.num(r.serverCpuMicrosPerCall(), "%.1f"), r.errors(),
                            r == get ? Report.num(ratio, "%.2f") : "");
                }
                boolean both = get.perSecond() >= 10_000 && get.latency().percentileMs(99) <= 2.0;
                if (both && (!met || get.perSecond() > bestRate) || !met && get.perSecond() > bestRate) {
                    best = String.format("%.0f calls/s with p99 %s ms at %d callers", get.perSecond(),
                            Report.ms(get.latency().percentileMs(99)), n);
                    bestRate = get.perSecond();
                    met |= both;
                }
            }
            s.text("Closed loop over " + connections + " connections, " + round.toSeconds() + " s per row after "
                    + warmed.toSeconds() + " s of unrecorded GetState and Check load (until the JIT compiler was quiet, "
                    + "at most " + warmUp.dividedBy(2).toSeconds() + " s); the gateway is RUNNING with no turns (the state GetState "
                    + "maps is small). Health/Check on the same port is the framework's cheapest unary call: no token, "
                    + "no mapping. Server CPU as in section 3 (without the JIT compiler threads).");
            s.goal("4. GetState on loopback", "≥ 10,000 calls/s with p99 ≤ 2 ms", best, met);
        } finally {
            closeAll(channels);
        }
    }

    private void fanOut(Report.Section s, AppProcess app, GatewayChannel control) throws Exception {
        int perConnection = 50;
        List<GatewayChannel> channels = channels(app, (subscribers + perConnection - 1) / perConnection);
        try (FanOut bench = new FanOut(channels, control, subscribers)) {
            FanOut.Direction[] directions = bench.run(3, fanoutTrials, app);
            Report.Table table = s.table("measurement", "trials", "median ms", "p90 ms", "p99 ms", "max ms");
            for (LatencySamples x : FanOut.rows(directions)) {
                table.row(x.name(), x.count(), Report.ms(x.medianMs()), Report.ms(x.percentileMs(90)),
                        Report.ms(x.percentileMs(99)), Report.ms(x.maxMs()));
            }
            s.text(subscribers + " WatchState streams over " + channels.size() + " connections (" + perConnection
                    + " each), all open before the trials. Per trial: BeginDrain, then the time from sending it until "
                    + "the last (and the median) subscriber has received PHASE_DRAINING; then the same for CancelDrain → "
                    + "PHASE_RUNNING. " + fanoutTrials + " trials after 3 unrecorded; with " + fanoutTrials
                    + " trials the p99 is the worst but one or the worst. The gateway used "
                    + Report.num(bench.serverCpuMillisPerPair(), "%.1f") + " ms of CPU (without the JIT) per drain + "
                    + "resume pair, i.e. two fan-outs to every subscriber; the rest of the time above is waiting for a "
                    + "core on this shared machine and the subscribers' own (harness) processing.");
            LatencySamples last = directions[0].last();
            s.goal("5. BeginDrain → last of " + subscribers + " subscribers sees DRAINING", "p99 ≤ 100 ms",
                    "p99 " + Report.ms(last.percentileMs(99)) + " ms (median " + Report.ms(last.medianMs()) + " ms, "
                            + last.count() + " trials)", last.percentileMs(99) <= 100 && last.count() >= 20);
        } finally {
            closeAll(channels);
        }
    }

    /** Section 6, holding JMH's lock throughout (see {@link JmhLock}). */
    private void gate(Report.Section s) throws Exception {
        try (JmhLock lock = JmhLock.acquire(Duration.ofMinutes(30))) {
            gateBenchmarks(s);
        }
    }

    private void gateBenchmarks(Report.Section s) throws Exception {
        int warmups = Math.max(1, jmhIterations / 2);
        List<GateMicrobench.Row> gate = GateMicrobench.run(GateBenchmark.class, warmups, jmhIterations);
        List<GateMicrobench.Row> gateBaseline = jmhOnBaseline(GateBenchmark.class, warmups);
        GateTables.gate(s, gate, gateBaseline);
        s.text("JMH, one fork, " + warmups + " × 1 s warm-up and " + jmhIterations
                + " × 1 s measured iterations, average time per operation. One operation is tryAdmit + release of a "
                + "user turn on a DrainStateBean built with its plain constructor (marker store in a temp directory, "
                + "no listeners); each thread has its own session, with 0, 1,000 or 10,000 turns of other sessions in "
                + "flight (each change publishes a snapshot listing every running turn). \"floor\" is the least an "
                + "atomic check-and-register gate costs: a ReentrantLock round around a HashMap put and another around "
                + "the remove. With 2 threads on 2 cores the harness and the machine's other work compete for the same "
                + "cores. JMH reports one mean per iteration, so the median and worst iteration stand in for "
                + "median / p99." + baselineJmhNote());
        List<GateMicrobench.Row> calls = GateMicrobench.run(CallPathBenchmark.class, warmups, jmhIterations);
        GateTables.calls(s, calls, jmhOnBaseline(CallPathBenchmark.class, warmups));
        s.text("The per-call work of Quiesce's own code on the data plane, without the transport (same JMH settings). "
                + "bearerCheck: the bearer check the gRPC guard makes on every HandleMessage call (a tokens file of "
                + "one token, scope ingest). echoTurn: one user turn through the message pipeline with the echo "
                + "handler (no delay): validation, the gate, the turn's hook, the handler, the release and the reply, "
                + "on a drain state with the status-file writer and the metrics as listeners; each thread has its "
                + "own session.");
        GateTables.goals(s, gate, gateBaseline);
    }

    /** {@code benchmark} on the baseline's classes in a child JVM; empty without {@code bench.baselineJar}. */
    private List<GateMicrobench.Row> jmhOnBaseline(Class<?> benchmark, int warmups) throws Exception {
        if (baseline().isEmpty()) {
            return List.of();
        }
        return GateMicrobench.runOnBaseline(baseline().get().jar(), benchmark, warmups, jmhIterations,
                out.resolve("jmh-baseline.log"));
    }

    private String baselineJmhNote() {
        return baseline().map(b -> " The baseline columns: the same benchmarks (the bench classes of this build) run "
                + "right after in a child JVM whose class path has the classes and libraries of " + b.jar().getParent()
                + " (its app/ and lib/ jars) instead of target/classes, then the bench classes and JMH; its JMH log is "
                + "jmh-baseline.log beside this report. current / baseline is the ratio of the means.").orElse("");
    }

    /** One app of section 7, how it is started, and whether its measured start is a restart on its home. */
    private record StartCase(String label, Path jar, List<String> args, boolean restart) {}

    private void processFigures(Report.Section s) throws Exception {
        Report.Table table = s.table("app", "starts", "start → ready, median / p99 ms", "idle RSS, median / p99 MiB",
                "SIGTERM → exit, median / p99 ms", "exit codes");
        boolean cds = Files.isRegularFile(jar.resolveSibling(APPCDS_ARCHIVE));
        List<String> cdsArgs = concat(appArgs, List.of("-XX:SharedArchiveFile=" + APPCDS_ARCHIVE));
        List<StartCase> apps = new ArrayList<>(List.of(new StartCase(QUIESCE, jar, appArgs, false)));
        if (cds) {
            apps.add(new StartCase(QUIESCE_CDS, jar, cdsArgs, false));
        }
        baseline().ifPresent(b -> apps.add(new StartCase(BASELINE, b.jar(), appArgs, false)));
        apps.add(new StartCase(QUIESCE + RESTART, jar, appArgs, true));
        if (cds) {
            apps.add(new StartCase(QUIESCE_CDS + RESTART, jar, cdsArgs, true));
        }
        baseline().ifPresent(b -> apps.add(new StartCase(BASELINE + RESTART, b.jar(), appArgs, true)));
        apps.add(new StartCase(BARE_EXT, bareExtJar, appArgs, false));
        apps.add(new StartCase(BARE, bareJar, appArgs, false));
        List<LatencySamples[]> figures = new ArrayList<>();
        List<Set<Integer>> codes = new ArrayList<>();
        for (int a = 0; a < apps.size(); a++) {
            figures.add(new LatencySamples[] {new LatencySamples("ready"), new LatencySamples("rss"),
                    new LatencySamples("exit")});
            codes.add(new LinkedHashSet<>());
        }
        Path log = out.resolve("app-starts.log");
        for (int i = 0; i < starts; i++) {
            for (int a = 0; a < apps.size(); a++) {
                StartCase app = apps.get(a);
                record(figures.get(a), codes.get(a), ProcessFigures.once(app.jar(), log, app.args(), IDLE_BEFORE_RSS,
                        app.restart()));
            }
        }
        for (int a = 0; a < apps.size(); a++) {
            LatencySamples[] f = figures.get(a);
            table.row(apps.get(a).label(), starts, pair(f[0], 0), pair(f[1], 1), pair(f[2], 0), codes.get(a));
        }
        LatencySamples[] q = figures.get(0);
        for (int a = 1; a < apps.size(); a++) {
            if (apps.get(a).label().startsWith(QUIESCE)) {
                continue; // Quiesce's own variants: compared in the goal below
            }
            LatencySamples[] p = figures.get(a);
            table.row("ratio Quiesce / " + apps.get(a).label() + " (medians)", "",
                    Report.num(q[0].medianMs() / p[0].medianMs(), "%.2f"),
                    Report.num(q[1].medianMs() / p[1].medianMs(), "%.2f"),
                    Report.num(q[2].medianMs() / p[2].medianMs(), "%.2f"), "");
        }
        s.text(starts + " cold starts of each packaged app, the apps alternating, each with a fresh home and default JVM "
                + "options " + (appArgs.isEmpty() ? "" : "plus " + String.join(" ", appArgs) + " ")
                + "(on this machine: G1, max heap a quarter of RAM). Ready = the first SERVING answer of grpc.health.v1 "
                + "for service \"\" (port polled every 5 ms); on a fresh home Quiesce's first start also generates its "
                + "operator token, creates the inbox's database and reconciles the marker before it serves. \""
                + RESTART.strip() + "\": the measured start is the second on its home (the first, unmeasured, was "
                + "stopped with SIGTERM), as a pod's restart in a rollout is. RSS is VmRSS after "
                + IDLE_BEFORE_RSS.toSeconds() + " s idle. SIGTERM → exit: Quiesce runs its shutdown sequence (nothing "
                + "in flight, log sink) and exits 0 through its TERM handler; the peers take the JVM's default (143). "
                + "With " + starts + " starts the p99 is the worst."
                + (cds ? " \"" + QUIESCE_CDS + "\" is the same jar started from its directory with "
                        + "-XX:SharedArchiveFile=" + APPCDS_ARCHIVE + ", the AppCDS archive the build made "
                        + "(quarkus.package.jar.appcds.enabled), as the README's production run line does." : "")
                + baseline().map(b -> " \"" + BASELINE + "\" is " + b.jar() + ", started with the same options.")
                        .orElse(""));
        int goalCase = indexOf(apps, cds ? QUIESCE_CDS + RESTART : QUIESCE + RESTART);
        double ready = figures.get(goalCase)[0].medianMs();
        StringBuilder measured = new StringBuilder("median " + Report.num(ready, "%.0f") + " ms (" + apps.get(goalCase)
                .label() + ")");
        for (int a = 0; a < apps.size(); a++) {
            if (a != goalCase && (apps.get(a).label().startsWith(QUIESCE) || apps.get(a).label().equals(BASELINE + RESTART)
                    || apps.get(a).label().equals(BASELINE))) {
                measured.append("; ").append(apps.get(a).label()).append(' ')
                        .append(Report.num(figures.get(a)[0].medianMs(), "%.0f")).append(" ms");
            }
        }
        s.goal("7. Quiesce start → ready (grpc.health SERVING), cold JVM, a restart as in a rollout", "median ≤ 1,500 ms",
                measured.toString(), ready <= 1500);
    }

    private static int indexOf(List<StartCase> apps, String label) {
        for (int a = 0; a < apps.size(); a++) {
            if (apps.get(a).label().equals(label)) {
                return a;
            }
        }
        throw new IllegalArgumentException(label);
    }

    private void inbox(Report.Section s) throws Exception {
        InboxBenchmark bench = new InboxBenchmark();
        inboxRoundTrip(s, bench);
        inboxReplay(s, bench);
        inboxRestart(s, bench);
        inboxResume(s);
    }

    /** (a) The round trip of a message while draining: DEFERRED with the inbox, REFUSED_DRAINING without. */
    private void inboxRoundTrip(Report.Section s, InboxBenchmark bench) throws Exception {
        Report.Table table = s.table("design", "concurrent callers", "answers/s", "median ms", "p90 ms", "p99 ms",
                "max ms", "server CPU µs/answer", "messages kept (inbox entries added)", "not the design's answer");
        LatencySamples at16 = roundTrips(table, bench, INBOX, roomyInbox(), TurnOutcome.TURN_OUTCOME_DEFERRED,
                "app-inbox-defer.log");
        roundTrips(table, bench, NO_INBOX, referenceInbox(), TurnOutcome.TURN_OUTCOME_REFUSED_DRAINING,
                "app-inbox-refuse.log");
        s.text("(a) The gateway drains (BeginDrain), and a closed loop sends HandleMessage with a channel and a "
                + "unique message_id, the sessions rotating over " + inboxSessions + ", over " + connections
                + " connections: every answer is DEFERRED, sent after the entry's commit (SQLite WAL, "
                + "synchronous=FULL: an fsync of the WAL per commit; the inbox's one writer thread commits "
                + "every save queued while the previous commit ran in one transaction, up to 256). "
                + round.multipliedBy(rounds).toSeconds() + " s per row after 10 s unrecorded at 16 callers; "
                + "the inbox's limits raised so none is refused as full. Server CPU as in section 3. \"" + NO_INBOX
                + "\": the same jar and load with the inbox off (" + String.join(" ", REFERENCE_INBOX) + "), as the "
                + "Python original behaves: every message during the drain is refused (REFUSED_DRAINING) and kept "
                + "nowhere, so it is lost unless the platform redelivers it. \"Kept\" is the growth of the inbox "
                + "(GetState) over the row.");
        s.goal("8a. DEFERRED round trip, 16 concurrent callers, draining", "p99 ≤ 10 ms (with the fsync)",
                "p99 " + Report.ms(at16.percentileMs(99)) + " ms (median " + Report.ms(at16.medianMs()) + " ms)",
                at16.percentileMs(99) <= 10);
    }

    /** One design's rows of (a), on a gateway of its own; returns the latency at 16 callers. */
    private LatencySamples roundTrips(Report.Table table, InboxBenchmark bench, String design, List<String> args,
            TurnOutcome expected, String log) throws Exception {
        Path home = tempHome();
        try (AppProcess app = AppProcess.start(jar, home, out.resolve(log), args);
                GatewayChannel control = new GatewayChannel(app.port(), app.operatorToken())) {
            List<GatewayChannel> channels = channels(app, connections);
            try {
                beginDrain(control, "bench: inbox");
                bench.answer(channels, 16, Duration.ofSeconds(10), inboxSessions, app, expected); // unrecorded warm-up
                LatencySamples at16 = null;
                for (int n : new int[] {1, 16, 64}) {
                    int before = InboxBenchmark.waiting(control);
                    ClosedLoop.Result r = bench.answer(channels, n, round.multipliedBy(rounds), inboxSessions, app,
                            expected);
                    int kept = InboxBenchmark.waiting(control) - before;
                    table.row(design, n, Report.num(r.perSecond(), "%.0f"), Report.ms(r.latency().medianMs()),
                            Report.ms(r.latency().percentileMs(90)), Report.ms(r.latency().percentileMs(99)),
                            Report.ms(r.latency().maxMs()), Report.num(r.serverCpuMicrosPerCall(), "%.1f"), kept,
                            r.errors());
                    at16 = n == 16 ? r.latency() : at16;
                }
                return at16;
            } finally {
                closeAll(channels);
            }
        } finally {
            deleteRecursively(home);
        }
    }

    /** (b) The replay from CancelDrain to an empty inbox; the reference design keeps nothing to replay. */
    private void inboxReplay(Report.Section s, InboxBenchmark bench) throws Exception {
        Report.Table table = s.table("design", "entries sent", "kept", "sessions", "CancelDrain → inbox empty, s",
                "entries/s", "server CPU µs/entry", "still waiting at the end");
        InboxBenchmark.Replay many = null;
        Duration atMost = Duration.ofMinutes(2);
        Path home = tempHome();
        try (AppProcess app = AppProcess.start(jar, home, out.resolve("app-inbox-replay.log"), roomyInbox());
                GatewayChannel control = new GatewayChannel(app.port(), app.operatorToken())) {
            List<GatewayChannel> channels = channels(app, connections);
            try {
                bench.replay(app, control, channels, 1000, inboxSessions, atMost); // unrecorded warm-up
                for (int sessions : new int[] {inboxSessions, 10}) {
                    InboxBenchmark.Replay r = bench.replay(app, control, channels, inboxEntries, sessions, atMost);
                    table.row(INBOX, r.entries(), r.entries(), r.sessions(), Report.num(r.nanos() / 1e9, "%.2f"),
                            Report.num(r.perSecond(), "%.0f"), Report.num(r.cpuMicrosPerEntry(), "%.0f"), r.left());
                    many = many == null ? r : many;
                }
            } finally {
                closeAll(channels);
            }
        } finally {
            deleteRecursively(home);
        }
        InboxBenchmark.Sent refused = refusedWhileDraining(bench, inboxEntries, "app-inbox-replay-refuse.log");
        table.row(NO_INBOX, inboxEntries, refused.deferredIds().size() + " (" + refused.refused()
                + " refused REFUSED_DRAINING)", inboxSessions, "– (nothing kept)", "–", "–", 0);
        s.text("(b) The gateway drains, " + inboxEntries + " messages are deferred (16 concurrent callers; "
                + "the sessions rotate over the number given), then CancelDrain: the time from sending it until "
                + "a kept-open WatchState stream shows the inbox empty (at most " + atMost.toSeconds()
                + " s). The echo handler (0 delay) answers each entry, the log sink delivers its reply "
                + "(one INFO line: ids and size, never the text), replay-concurrency 4 (the default); the "
                + "attempt counts and removals are committed in batches by the writer. After an unrecorded "
                + "replay of 1,000 entries. The reference design gets the same " + inboxEntries + " messages while "
                + "draining and keeps none (the inbox's count, GetState, after them): there is nothing to replay, "
                + "and the senders were told to try again later.");
        s.goal("8b. replay throughput (echo handler, log sink, " + inboxSessions + " sessions)",
                "≥ 2,000 entries/s", Report.num(many.perSecond(), "%.0f") + " entries/s",
                many.left() == 0 && many.perSecond() >= 2000);
    }

    /**
     * The reference design's (b): a gateway with the inbox off drains and gets {@code count} messages.
     *
     * @return what it answered; its deferred_ids are the entries its inbox holds afterwards (GetState)
     */
    private InboxBenchmark.Sent refusedWhileDraining(InboxBenchmark bench, int count, String log) throws Exception {
        Path home = tempHome();
        try (AppProcess app = AppProcess.start(jar, home, out.resolve(log), referenceInbox());
                GatewayChannel control = new GatewayChannel(app.port(), app.operatorToken())) {
            List<GatewayChannel> channels = channels(app, connections);
            try {
                beginDrain(control, "bench: inbox, reference design");
                InboxBenchmark.Sent sent = bench.fill(channels, count, 16, inboxSessions, "replay-refused");
                int kept = InboxBenchmark.waiting(control);
                if (kept != sent.deferredIds().size()) {
                    throw new IllegalStateException(kept + " entries kept, " + sent.deferredIds().size() + " DEFERRED");
                }
                return sent;
            } finally {
                closeAll(channels);
            }
        } finally {
            deleteRecursively(home);
        }
    }

    /** (c) Messages sent while draining, carried through a SIGTERM and a restart — or, without the inbox, lost. */
    private void inboxRestart(Report.Section s, InboxBenchmark bench) throws Exception {
        InboxBenchmark.Restart q = restartOnce(bench, quiesceArgs, "app-inbox-restart");
        InboxBenchmark.Restart ref = restartOnce(bench, referenceInbox(), "app-inbox-restart-refuse");
        Report.Table table = s.table("figure", INBOX, NO_INBOX);
        table.row("messages sent / answered DEFERRED / refused", q.sent() + " / " + q.deferred() + " / " + q.refused(),
                ref.sent() + " / " + ref.deferred() + " / " + ref.refused());
        table.row("answers/s while filling (16 callers)", Report.num(q.answersPerSecond(), "%.0f"),
                Report.num(ref.answersPerSecond(), "%.0f"));
        table.row("waiting before SIGTERM", q.waitingBeforeStop(), ref.waitingBeforeStop());
        table.row("SIGTERM → exit (code)", exit(q.stop()), exit(ref.stop()));
        table.row("start → control plane SERVING", Report.num(q.readyMillis(), "%.0f") + " ms",
                Report.num(ref.readyMillis(), "%.0f") + " ms");
        table.row("phase, waiting after the start", q.phaseAfter() + ", " + q.waitingAfterStart(),
                ref.phaseAfter() + ", " + ref.waitingAfterStart());
        table.row("CancelDrain → inbox empty", emptied(q.replay()), emptied(ref.replay()));
        table.row("answered after the restart (deferred_reply) / lost / reruns", q.delivered() + " / " + q.lost()
                + " / " + q.reruns(), ref.delivered() + " / **" + ref.lost() + "** / " + ref.reruns());
        table.row("exit code of the second start", q.exitAfter(), ref.exitAfter());
        s.text("(c) A fresh gateway with the default inbox limits (10,000 entries): BeginDrain, " + inboxRestart
                + " messages deferred over " + inboxSessions + " sessions, SIGTERM, a start on the same home "
                + "(the marker survives: same machine, same epoch, so it starts DRAINING and is ready when its "
                + "control plane serves), CancelDrain, and the second start's log searched for a deferred_reply "
                + "line of every deferred_id the client was given. Lost: sent and never answered after the restart. "
                + "The reference design: the same with the inbox off — every message refused, nothing kept through "
                + "the restart.");
        s.goal("8c. " + inboxRestart + " entries through a restart", "0 lost",
                q.lost() + " lost of " + q.sent() + " (" + q.reruns() + " reruns; the reference design: " + ref.lost()
                        + " lost)", q.lost() == 0 && q.deferred() == inboxRestart && q.replay().left() == 0);
    }

    private InboxBenchmark.Restart restartOnce(InboxBenchmark bench, List<String> args, String log) throws Exception {
        Path home = tempHome();
        try {
            return bench.restart(jar, home, out, args, inboxRestart, inboxSessions, Duration.ofMinutes(5), log);
        } finally {
            deleteRecursively(home);
        }
    }

    /** (d) User turns cut off by a SIGTERM: resumed after the restart, or — without the inbox — lost. */
    private void inboxResume(Report.Section s) throws Exception {
        Duration drainTimeout = Duration.ofSeconds(1);
        Report.Table table = s.table("design", "cut-off turns", "trials",
                "SIGTERM → old process exit, median / max ms",
                "SIGTERM → new process ready, median / max ms", "SIGTERM → first deferred_reply, median / max ms",
                "SIGTERM → last deferred_reply, median / max ms", "cut-off turns answered after the restart",
                "answered more than once / backend reruns", "callers told INTERRUPTED / session_interrupted pings",
                "exit codes");
        try (ResumeLatency bench = new ResumeLatency(jar, out.resolve("app-inbox-resume.log"), quiesceArgs,
                drainTimeout)) {
            for (int turns : new int[] {1, 50}) {
                List<ResumeLatency.Trial> trials = new ArrayList<>();
                for (int t = 0; t < resumeTrials; t++) {
                    trials.add(bench.run(turns, true));
                }
                ResumeLatency.render(table, INBOX, trials);
                ResumeLatency.render(table, NO_INBOX, List.of(bench.run(turns, false)));
            }
        }
        s.text("(d) A gateway with the http turn handler on a local agent backend in the harness that holds every "
                + "turn, the webhook sink on a local receiver in the harness, and quiesce.shutdown.drain-timeout="
                + drainTimeout.toSeconds() + "s: N user turns (each its own session, with a channel and a message_id) "
                + "run, then SIGTERM without a drain. The gateway records them in the inbox, waits the drain timeout, "
                + "interrupts them (the callers get INTERRUPTED, the channels a session_interrupted ping) and exits; "
                + "then a new gateway on the same home and port (same machine and boot id; no marker, since nothing "
                + "drained) starts with the backend answering at once, and runs each recorded turn again. Times from "
                + "the SIGTERM: the old process's exit, the new one's first grpc.health SERVING for \"\", and the "
                + "first and last deferred_reply of the cut-off turns at the receiver; each cut-off turn must be "
                + "answered exactly once (deferred_replies counted per message_id; backend reruns: runs of a resumed "
                + "turn beyond one). " + resumeTrials + " trials per N on a fresh home each. \"" + NO_INBOX + "\": "
                + "the same with " + String.join(" ", REFERENCE_INBOX) + ", one trial per N: nothing is recorded, the "
                + "ping tells the user to send the message again, and no cut-off turn is answered after the restart.");
    }

    // ------------------------------------------------------------------------------- helpers

    /** Quiesce's JVM options with room for every deferral the closed loops make (defaults: 10,000 entries, 64 MiB). */
    private List<String> roomyInbox() {
        return concat(quiesceArgs, List.of("-Dquiesce.inbox.max-entries=10000000", "-Dquiesce.inbox.max-bytes=4G"));
    }

    /** Quiesce's JVM options with the inbox off: the reference design. */
    private List<String> referenceInbox() {
        return concat(quiesceArgs, REFERENCE_INBOX);
    }

    private static void beginDrain(GatewayChannel control, String reason) {
        control.blocking().withDeadlineAfter(10, TimeUnit.SECONDS).beginDrain(BeginDrainRequest.newBuilder()
                .setReason(reason).build());
    }

    private static String exit(AppProcess.Exit exit) {
        return Report.num(exit.millis(), "%.0f") + " ms (" + exit.code() + ")";
    }

    private static String emptied(InboxBenchmark.Replay replay) {
        return replay.entries() == 0 ? Report.num(replay.nanos() / 1e9, "%.1f") + " s (nothing to replay)"
                : Report.num(replay.nanos() / 1e9, "%.1f") + " s (" + Report.num(replay.perSecond(), "%.0f")
                        + " entries/s, " + Report.num(replay.cpuMicrosPerEntry(), "%.0f") + " µs CPU/entry)";
    }

    private static void record(LatencySamples[] into, Set<Integer> codes, ProcessFigures.Start start) {
        into[0].add(Math.round(start.readyMillis() * 1_000_000));
        into[1].add(start.rssKib() * 1_000_000 / 1024); // MiB, stored as "ms"
        into[2].add(Math.round(start.exitMillis() * 1_000_000));
        codes.add(start.exitCode());
    }

    private static String pair(LatencySamples x, int digits) {
        String format = "%." + digits + "f";
        return Report.num(x.medianMs(), format) + " / " + Report.num(x.percentileMs(99), format);
    }

    private List<String> header() {
        String cpu = "unknown CPU";
        String memory = "unknown";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse(cpu);
            memory = Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal:"))
                    .findFirst().map(l -> Long.parseLong(l.replaceAll("\\D", "")) / (1024 * 1024) + " GiB")
                    .orElse(memory);
        } catch (IOException | RuntimeException e) {
            // keep "unknown"
        }
        return List.of(
                "When: " + Instant.now().truncatedTo(ChronoUnit.SECONDS),
                "Machine: " + Runtime.getRuntime().availableProcessors() + " cores (" + cpu + "), "
                        + memory + " RAM, Java "
                        + System.getProperty("java.version") + ", " + System.getProperty("os.name") + " "
                        + System.getProperty("os.version"),
                "Apps: packaged quarkus-run.jar as child processes on 127.0.0.1, default config"
                        + (appArgs.isEmpty() ? "" : " plus " + String.join(" ", appArgs))
                        + "; load generators on grpc-java (Netty) in the harness JVM, on the same 2 cores",
                "Load average at the start (1/5/15 min): " + Report.loadAverage()
                        + " — other developers' builds share this machine; each section records its own",
                "Percentiles: nearest rank (every figure is a real sample); ratios are Quiesce / peer");
    }

    private List<GatewayChannel> channels(AppProcess app, int count) throws IOException {
        String token = Files.exists(app.home().resolve("control.token")) ? app.operatorToken() : "none";
        List<GatewayChannel> channels = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            channels.add(new GatewayChannel(app.port(), token));
        }
        return channels;
    }

    private static void closeAll(List<GatewayChannel> channels) throws InterruptedException {
        for (GatewayChannel channel : channels) {
            channel.close();
        }
    }

    private boolean wants(String... numbers) {
        for (String n : numbers) {
            if (sections.contains(n)) {
                return true;
            }
        }
        return false;
    }

    private static Set<String> sections(String spec) {
        List<String> names = List.of("admission", "marker", "data", "control", "fanout", "gate", "process", "inbox");
        Set<String> chosen = new LinkedHashSet<>();
        for (String part : spec.split(",")) {
            String p = part.trim().toLowerCase(java.util.Locale.ROOT);
            if (p.equals("all")) {
                for (int i = 1; i <= names.size(); i++) {
                    chosen.add(String.valueOf(i));
                }
            } else if (names.contains(p)) {
                chosen.add(String.valueOf(names.indexOf(p) + 1));
            } else if (!p.isEmpty()) {
                chosen.add(p);
            }
        }
        return chosen;
    }

    private static List<String> options(String property) {
        return Arrays.stream(System.getProperty(property, "").trim().split("\\s+")).filter(s -> !s.isEmpty()).toList();
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return List.copyOf(all);
    }

    private static Path absolute(String property, String fallback) {
        return Path.of(System.getProperty(property, fallback)).toAbsolutePath();
    }

    /** One more app for section 3: its label in the tables and its {@code quarkus-run.jar}. */
    private record Extra(String label, Path jar) {}

    /** The app of {@code bench.baselineJar}, when given: the first of {@link #extras}. */
    private Optional<Extra> baseline() {
        return extras.stream().filter(e -> e.label().equals(BASELINE)).findFirst();
    }

    /** {@code bench.baselineJar}, then each {@code label=path} of {@code bench.extraJars}; every jar must exist. */
    private static List<Extra> extras() {
        List<Extra> extras = new ArrayList<>();
        String baseline = System.getProperty("bench.baselineJar", "").strip();
        if (!baseline.isEmpty()) {
            extras.add(new Extra(BASELINE, existingJar("bench.baselineJar", baseline)));
        }
        for (String entry : System.getProperty("bench.extraJars", "").split(",")) {
            if (entry.isBlank()) {
                continue;
            }
            int eq = entry.indexOf('=');
            if (eq <= 0 || entry.substring(0, eq).isBlank()) {
                throw new IllegalArgumentException("bench.extraJars entry \"" + entry.strip()
                        + "\" is not label=path/to/quarkus-run.jar");
            }
            extras.add(new Extra(entry.substring(0, eq).strip(),
                    existingJar("bench.extraJars", entry.substring(eq + 1).strip())));
        }
        return List.copyOf(extras);
    }

    private static Path existingJar(String property, String value) {
        Path path = Path.of(value).toAbsolutePath();
        if (!Files.isRegularFile(path)) {
            throw new IllegalArgumentException(property + ": " + value + " is not a file: name a build's quarkus-run.jar");
        }
        return path;
    }

    static Path tempHome() throws IOException {
        return Files.createTempDirectory("quiesce-bench-home-");
    }

    static void deleteRecursively(Path root) throws IOException {
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
