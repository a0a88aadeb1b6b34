package dev.quiesce.bench;

import dev.quiesce.auth.Authenticator;
import dev.quiesce.auth.Principal;
import dev.quiesce.auth.TokenStore;
import dev.quiesce.drain.DrainMetrics;
import dev.quiesce.drain.DrainStateBean;
import dev.quiesce.drain.StatusFileWriter;
import dev.quiesce.home.QuiesceHome;
import dev.quiesce.marker.DrainMarkerStore;
import dev.quiesce.marker.MarkerJudge;
import dev.quiesce.pipeline.EchoTurnHandler;
import dev.quiesce.pipeline.InboundMessage;
import dev.quiesce.pipeline.MessagePipeline;
import dev.quiesce.pipeline.TurnOutcome;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.subscription.UniSubscriber;
import io.smallrye.mutiny.subscription.UniSubscription;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * Measurement 6, second part (JMH): the per-call work of Quiesce's own code on the data plane,
 * without the transport. {@code bearerCheck} is what the gRPC guard does for every HandleMessage
 * call: {@link Authenticator#authorize} of a {@code Bearer} value against a tokens file of one
 * token (the bootstrap one) for scope {@code ingest}. {@code echoTurn} is one user turn through
 * {@link MessagePipeline#handle} with the echo handler (no delay): validation, the gate, the running
 * turn's hook, the handler's {@code Uni}, the release and the reply, on a drain state that carries
 * the two listeners that act on every change (the status-file writer, which writes
 * {@code gateway_state.json} in the background at most every 250 ms, and the metrics). Each thread
 * has its own session, as in section 3's closed loops. Run by {@link GateMicrobench}.
 */
@State(org.openjdk.jmh.annotations.Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CallPathBenchmark {

    private static final AtomicInteger SESSIONS = new AtomicInteger();

    private Path home;
    private Authenticator authenticator;
    private String authorization;
    private DrainStateBean state;
    private StatusFileWriter statusFile;
    private MessagePipeline pipeline;

    /** One benchmark thread's session and the subscriber that takes its turns' replies. */
    @State(org.openjdk.jmh.annotations.Scope.Thread)
    public static class Caller implements UniSubscriber<TurnOutcome> {
        InboundMessage message;
        TurnOutcome reply;
        Throwable failure;

        @Setup(Level.Trial)
        public void name() {
            message = new InboundMessage("jmh-session-" + SESSIONS.incrementAndGet(), "bench:jmh", "hello", false,
                    "");
        }

        @Override
        public void onSubscribe(UniSubscription subscription) {}

        @Override
        public void onItem(TurnOutcome item) {
            reply = item;
        }

        @Override
        public void onFailure(Throwable failure) {
            this.failure = failure;
        }
    }

    @Setup(Level.Trial)
    public void start() throws IOException {
        home = Files.createTempDirectory("quiesce-jmh-call-");
        TokenStore tokens = TokenStore.open(home);
        authenticator = new Authenticator(tokens);
        authorization = "Bearer " + Files.readString(tokens.controlTokenFile(), StandardCharsets.US_ASCII).strip();
        statusFile = new StatusFileWriter(new QuiesceHome(home), Clock.systemUTC());
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        state = new DrainStateBean(new DrainMarkerStore(home), new MarkerJudge("jmh-boot:1", Duration.ofHours(1)),
                Clock.systemUTC(), Duration.ofHours(1), Duration.ofHours(24),
                List.of(statusFile, new DrainMetrics(registry)));
        state.start();
        pipeline = new MessagePipeline(state, new EchoTurnHandler(Duration.ZERO), registry);
        // One turn before the threads start: outside Quarkus, Mutiny's context propagation sets up its
        // ThreadContext on first use, and two threads doing that at once fail.
        Caller first = new Caller();
        first.name();
        turn(first);
    }

    @TearDown(Level.Trial)
    public void stop() throws IOException {
        statusFile.writeNow(state.current());
        try (Stream<Path> files = Files.walk(home)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        }
    }

    @Benchmark
    @Threads(1)
    public Principal bearerCheck1Thread() {
        return authenticator.authorize(authorization, dev.quiesce.auth.Scope.INGEST);
    }

    @Benchmark
    @Threads(2)
    public Principal bearerCheck2Threads() {
        return authenticator.authorize(authorization, dev.quiesce.auth.Scope.INGEST);
    }

    @Benchmark
    @Threads(1)
    public TurnOutcome echoTurn1Thread(Caller caller) {
        return turn(caller);
    }

    @Benchmark
    @Threads(2)
    public TurnOutcome echoTurn2Threads(Caller caller) {
        return turn(caller);
    }

    private TurnOutcome turn(Caller caller) {
        caller.reply = null;
        pipeline.handle(caller.message).subscribe().withSubscriber(caller);
        TurnOutcome reply = caller.reply;
        if (reply == null || reply.kind() != TurnOutcome.Kind.COMPLETED) {
            throw new IllegalStateException("the echo turn did not complete at once: " + reply + ", " + caller.failure);
        }
        return reply;
    }
}
