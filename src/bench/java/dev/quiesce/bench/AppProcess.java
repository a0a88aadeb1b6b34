package dev.quiesce.bench;

import grpc.health.v1.HealthGrpc;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A packaged Quarkus app ({@code java -jar .../quarkus-run.jar}: the gateway, or the bare peer) as
 * a child process on a free loopback port with its own home directory, as an operator would run
 * it. Its output goes to a log file. {@link #start} returns once it is ready — its
 * {@code grpc.health.v1} status for service {@code ""} is SERVING, which for the gateway means phase
 * RUNNING — and remembers how long that took. {@link #stop()} sends SIGTERM and times the exit; a
 * JVM shutdown hook sends SIGTERM too if the harness is interrupted. Not thread-safe.
 */
final class AppProcess implements AutoCloseable {

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    /** Poll period for the port; small so start → ready is measured to about 5 ms. */
    private static final long PORT_POLL_MILLIS = 5;
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(40);

    /** How a stop went: the exit code, the time from the signal to the exit, and when it was signalled. */
    record Exit(int code, long nanos, long signalledAtNanos) {
        double millis() {
            return nanos / 1_000_000.0;
        }
    }

    private final Process process;
    private final int port;
    private final Path home;
    private final Path log;
    private final long startedNanos;
    private final Thread killOnExit;
    private long readyNanos = -1;

    private AppProcess(Process process, long startedNanos, int port, Path home, Path log) {
        this.process = process;
        this.startedNanos = startedNanos;
        this.port = port;
        this.home = home;
        this.log = log;
        this.killOnExit = new Thread(process::destroy, "bench-stop-app");
        Runtime.getRuntime().addShutdownHook(killOnExit);
    }

    /**
     * Starts the app and returns once it is ready.
     *
     * @param jar the packaged {@code quarkus-run.jar}
     * @param home the home directory to give it (empty: the gateway generates its token there)
     * @param log where its stdout and stderr go (appended to)
     * @param jvmArgs further JVM options, e.g. {@code -Dquiesce.marker.poll-interval=5s}; with
     *     {@code -XX:SharedArchiveFile=...} the app runs in the jar's directory, as its AppCDS archive needs
     * @throws IllegalStateException when it exits or is not ready within a minute (the log says why)
     */
    static AppProcess start(Path jar, Path home, Path log, List<String> jvmArgs)
            throws IOException, InterruptedException {
        return start(jar, home, log, jvmArgs, "");
    }

    /**
     * Like {@link #start(Path, Path, Path, List)}, ready once grpc.health.v1 says {@code service} is
     * SERVING: {@code ""} (the data plane) only in RUNNING, {@code quiesce.v1.DrainControl} (the control
     * plane) in DRAINING too — for a gateway that starts draining because its marker survived.
     */
    static AppProcess start(Path jar, Path home, Path log, List<String> jvmArgs, String service)
            throws IOException, InterruptedException {
        return start(jar, home, log, jvmArgs, service, freePort());
    }

    /**
     * Like {@link #start(Path, Path, Path, List, String)}, on the given loopback port (e.g. the one a
     * stopped gateway of the same home had, as a restarted pod keeps its address).
     */
    static AppProcess start(Path jar, Path home, Path log, List<String> jvmArgs, String service, int port)
            throws IOException, InterruptedException {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: package it first (./mvnw -B -Pbench verify does)");
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Dquarkus.http.port=" + port);
        command.add("-Dquarkus.http.host=127.0.0.1");
        command.add("-Dquiesce.home=" + home);
        command.addAll(jvmArgs);
        // An AppCDS archive names the class path as its dump saw it, from inside quarkus-app.
        boolean fromAppDir = jvmArgs.stream().anyMatch(arg -> arg.startsWith("-XX:SharedArchiveFile="));
        command.add("-jar");
        command.add(fromAppDir ? jar.getFileName().toString() : jar.toString());
        Files.createDirectories(log.getParent());
        Files.writeString(log, "\n==== " + String.join(" ", command) + "\n", StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        if (fromAppDir) {
            builder.directory(jar.toAbsolutePath().getParent().toFile());
        }
        builder.environment().put("QUIESCE_HOME", home.toString());
        long started = System.nanoTime();
        AppProcess app = new AppProcess(builder.start(), started, port, home, log);
        try {
            app.awaitReady(service);
        } catch (RuntimeException | InterruptedException e) {
            app.close();
            throw e;
        }
        return app;
    }

    int port() {
        return port;
    }

    Path home() {
        return home;
    }

    long pid() {
        return process.pid();
    }

    /** From {@code ProcessBuilder.start()} to the first SERVING health answer. */
    double readyMillis() {
        return (readyNanos - startedNanos) / 1_000_000.0;
    }

    /** When the first SERVING health answer arrived, by {@link System#nanoTime()}. */
    long readyAtNanos() {
        return readyNanos;
    }

    /** The operator token the gateway generated on its first start. */
    String operatorToken() throws IOException {
        return Files.readString(home.resolve("control.token"), StandardCharsets.UTF_8).strip();
    }

    /** Resident set size now, from {@code /proc/<pid>/status} VmRSS, in KiB. */
    long rssKib() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(process.pid()), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.substring(6).trim().split("\\s+")[0]);
            }
        }
        throw new IOException("no VmRSS in /proc/" + process.pid() + "/status");
    }

    /** CPU time used so far, split into the JIT compiler threads' and everything else's. */
    record Cpu(long appNanos, long jitNanos) {}

    /**
     * CPU time the process has used so far (user + system), per thread from
     * {@code /proc/<pid>/task/<tid>/stat} in clock ticks of 10 ms (Linux's USER_HZ), split into the
     * JIT compiler threads ("C1/C2 CompilerThre…") and all others — the app's own work, GC included.
     * Good for differences over seconds. Threads that ended meanwhile are missed (the app's pools
     * keep theirs).
     */
    Cpu cpu() throws IOException {
        long app = 0;
        long jit = 0;
        try (var tasks = Files.list(Path.of("/proc", String.valueOf(process.pid()), "task"))) {
            for (Path task : tasks.toList()) {
                String stat;
                try {
                    stat = Files.readString(task.resolve("stat"));
                } catch (IOException e) {
                    continue; // the thread ended
                }
                String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                // fields[0] is field 3 (state); utime and stime are fields 14 and 15
                long nanos = (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 10_000_000L;
                if (name.contains("CompilerThre")) {
                    jit += nanos;
                } else {
                    app += nanos;
                }
            }
        }
        return new Cpu(app, jit);
    }

    /**
     * SIGTERM ({@link Process#destroy()}), then waits for the exit and times it.
     *
     * @return the exit code (-1 if it had to be killed) and the time from the signal to the exit
     */
    Exit stop() throws InterruptedException {
        long signalled = System.nanoTime();
        process.destroy();
        if (process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            return new Exit(process.exitValue(), System.nanoTime() - signalled, signalled);
        }
        process.destroyForcibly();
        process.waitFor();
        return new Exit(-1, System.nanoTime() - signalled, signalled);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            stop();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(killOnExit);
        } catch (IllegalStateException e) {
            // the JVM is already exiting; the hook does the same
        }
    }

    /**
     * Polls the port every 5 ms until it accepts a connection (Quarkus opens it once every service
     * is registered), then asks grpc.health.v1 on one channel until {@code service} is SERVING.
     */
    private void awaitReady(String service) throws InterruptedException {
        long deadline = startedNanos + READY_TIMEOUT.toNanos();
        while (!accepts()) {
            checkAlive(deadline);
            Thread.sleep(PORT_POLL_MILLIS);
        }
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        try {
            HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(channel);
            String last = "no answer";
            while (true) {
                checkAlive(deadline);
                try {
                    HealthCheckResponse response = health.withDeadlineAfter(2, TimeUnit.SECONDS)
                            .withWaitForReady().check(HealthCheckRequest.newBuilder().setService(service).build());
                    if (response.getStatus() == HealthCheckResponse.ServingStatus.SERVING) {
                        readyNanos = System.nanoTime();
                        return;
                    }
                    last = response.getStatus().name();
                } catch (StatusRuntimeException e) {
                    last = e.getStatus().toString();
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("not ready within " + READY_TIMEOUT.toSeconds()
                            + " s (last health answer " + last + "); see " + log);
                }
                Thread.sleep(PORT_POLL_MILLIS);
            }
        } finally {
            channel.shutdownNow();
        }
    }

    private void checkAlive(long deadline) {
        if (!process.isAlive()) {
            throw new IllegalStateException("the app exited with " + process.exitValue()
                    + " before it was ready; see " + log);
        }
        if (System.nanoTime() > deadline) {
            throw new IllegalStateException("the app did not open its port within " + READY_TIMEOUT.toSeconds()
                    + " s; see " + log);
        }
    }

    private boolean accepts() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** A loopback port free at the moment of asking. */
    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port", e);
        }
    }
}
