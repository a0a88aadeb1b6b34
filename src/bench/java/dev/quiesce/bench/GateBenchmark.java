package dev.quiesce.bench;

import dev.quiesce.drain.DrainStateBean;
import dev.quiesce.marker.DrainMarkerStore;
import dev.quiesce.marker.MarkerJudge;
import dev.quiesce.pipeline.Admission;
import dev.quiesce.pipeline.TurnControl;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * Measurement 6 (JMH): the accept gate's cost — {@link DrainStateBean#tryAdmit} followed by
 * {@link DrainStateBean#release} — on a bean built with its plain constructor (a marker store in a
 * temp directory, no listeners), as in {@code DrainStateBeanTest}. Each benchmark thread has its own
 * session, so every admission succeeds; {@link #otherTurns} turns of other sessions stay in flight
 * meanwhile (admitted one by one in the trial's set-up, as a gateway would have them). Beside it,
 * the floor any atomic check-and-register gate pays: one {@link ReentrantLock} round around a
 * {@link HashMap} put, another around the remove. Run by {@link GateMicrobench}, on this build's
 * classes or a baseline's; thread counts come from the {@code @Threads} annotations.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class GateBenchmark {

    private static final AtomicInteger SESSIONS = new AtomicInteger();

    /**
     * Turns of other sessions already in flight. Every admission and release publishes a snapshot
     * that lists all running turns, so its cost grows with this.
     */
    @Param({"0", "1000", "10000"})
    public int otherTurns;

    private Path home;
    private DrainStateBean bean;
    private final ReentrantLock floorLock = new ReentrantLock();
    private final Map<String, String> floorTurns = new HashMap<>();

    /** One benchmark thread's session. */
    @State(Scope.Thread)
    public static class Session {
        String id;

        @Setup(Level.Trial)
        public void name() {
            id = "jmh-session-" + SESSIONS.incrementAndGet();
        }
    }

    @Setup(Level.Trial)
    public void startBean() throws IOException {
        home = Files.createTempDirectory("quiesce-jmh-home-");
        bean = new DrainStateBean(new DrainMarkerStore(home), new MarkerJudge("jmh-boot:1", Duration.ofHours(1)),
                Clock.systemUTC(), Duration.ofHours(1), Duration.ofHours(24), List.of());
        bean.start();
        for (int i = 0; i < otherTurns; i++) {
            if (!(bean.tryAdmit("jmh-other-" + i, "bench:jmh", false, TurnControl.none()) instanceof Admission.Admitted)) {
                throw new IllegalStateException("could not admit the other turns");
            }
            floorTurns.put("jmh-other-" + i, "jmh-other-" + i);
        }
    }

    @TearDown(Level.Trial)
    public void removeHome() throws IOException {
        try (var files = Files.list(home)) {
            for (Path file : files.toList()) {
                Files.deleteIfExists(file);
            }
        }
        Files.deleteIfExists(home);
    }

    @Benchmark
    @Threads(1)
    public boolean admitAndRelease1Thread(Session session) {
        return admitAndRelease(session);
    }

    @Benchmark
    @Threads(2)
    public boolean admitAndRelease2Threads(Session session) {
        return admitAndRelease(session);
    }

    @Benchmark
    @Threads(1)
    public String floorLockAndMap1Thread(Session session) {
        return floor(session);
    }

    @Benchmark
    @Threads(2)
    public String floorLockAndMap2Threads(Session session) {
        return floor(session);
    }

    private boolean admitAndRelease(Session session) {
        Admission admission = bean.tryAdmit(session.id, "bench:jmh", false, TurnControl.none());
        if (!(admission instanceof Admission.Admitted admitted)) {
            throw new IllegalStateException("refused: " + admission);
        }
        return bean.release(admitted.turn());
    }

    private String floor(Session session) {
        floorLock.lock();
        try {
            floorTurns.put(session.id, session.id);
        } finally {
            floorLock.unlock();
        }
        floorLock.lock();
        try {
            return floorTurns.remove(session.id);
        } finally {
            floorLock.unlock();
        }
    }
}
