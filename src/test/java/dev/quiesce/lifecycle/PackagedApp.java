package dev.quiesce.lifecycle;

import static org.awaitility.Awaitility.await;

import dev.quiesce.testing.TestHome;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged application ({@code target/quarkus-app/quarkus-run.jar}) as a child process, with
 * its own home, a fake {@code /proc} (epoch {@link TestHome#EPOCH}) and the test tokens.
 */
final class PackagedApp implements AutoCloseable {

    /** One client for every health poll: a new JDK client per poll costs a selector thread and time. */
    private static final HttpClient HEALTH_CLIENT = HttpClient.newHttpClient();

    /**
     * JVM options for a test that starts the app often and measures nothing about its speed: C1 only
     * and the serial collector start it about a third faster on two cores. Behaviour is the same.
     */
    static final List<String> FAST_START = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

    final Path home;
    final Path proc;
    final int port;
    final Path log;
    private final Process process;
    private ManagedChannel channel;

    private PackagedApp(Path home, Path proc, int port, Path log, Process process) {
        this.home = home;
        this.proc = proc;
        this.port = port;
        this.log = log;
        this.process = process;
    }

    /** A fresh home with the test tokens, beside a fake {@code /proc}; files may be added before {@link #start}. */
    static Path newHome() {
        return Path.of(new TestHome().start().get("quiesce.home"));
    }

    static PackagedApp start(Path home, Map<String, String> properties) throws IOException {
        return start(home, properties, List.of());
    }

    /** Like {@link #start(Path, Map)}, with options for the JVM itself (e.g. {@code -Xmx256m}) before {@code -jar}. */
    static PackagedApp start(Path home, Map<String, String> properties, List<String> jvmOptions) throws IOException {
        PackagedApp app = launch(home, properties, jvmOptions);
        app.awaitServing();
        return app;
    }

    /**
     * Like {@link #start(Path, Map, List)}, but returns as soon as the process is started, before it serves
     * (for a test that kills it during its start); {@link #awaitServing} waits for the port.
     */
    static PackagedApp launch(Path home, Map<String, String> properties, List<String> jvmOptions) throws IOException {
        Path jar = Path.of("target", "quarkus-app", "quarkus-run.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: integration tests run after `package`");
        }
        // A port given in the properties (a restart on the port of an earlier process) is the one to poll.
        int port = properties.containsKey("quarkus.http.port") ? Integer.parseInt(properties.get("quarkus.http.port"))
                : freePort();
        Path proc = home.resolveSibling("proc");
        Map<String, String> all = new LinkedHashMap<>();
        all.put("quarkus.http.port", String.valueOf(port));
        all.put("quiesce.home", home.toString());
        all.put("quiesce.epoch.proc-root", proc.toString());
        all.putAll(properties);
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        all.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.add("-jar");
        command.add(jar.toString());
        Path log = Files.createTempFile(home.getParent(), "app-", ".log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        return new PackagedApp(home, proc, port, log, process);
    }

    /** Waits (30 s at most) until the health endpoint answers; fails when the process exits first. */
    void awaitServing() {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(this::answersHealth);
    }

    /**
     * Starts the app and waits for it to exit by itself (a start that must fail).
     *
     * @return its exit and everything it printed
     */
    static Finished runToExit(Path home, Map<String, String> properties, Duration atMost)
            throws IOException, InterruptedException {
        Path jar = Path.of("target", "quarkus-app", "quarkus-run.jar");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(FAST_START);
        Map<String, String> all = new LinkedHashMap<>();
        all.put("quarkus.http.port", String.valueOf(freePort()));
        all.put("quiesce.home", home.toString());
        all.put("quiesce.epoch.proc-root", home.resolveSibling("proc").toString());
        all.putAll(properties);
        all.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.add("-jar");
        command.add(jar.toString());
        Path log = Files.createTempFile(home.getParent(), "app-", ".log");
        long start = System.nanoTime();
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        if (!process.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("still running after " + atMost + ": " + Files.readString(log));
        }
        return new Finished(new Exit(process.exitValue(), Duration.ofNanos(System.nanoTime() - start)),
                Files.readString(log));
    }

    /** A process that ended by itself: how, and what it printed. */
    record Finished(Exit exit, String output) {}

    /** Any answer from the health endpoint (200 or 503) means the port serves. */
    boolean answersHealth() {
        if (!process.isAlive()) {
            throw new IllegalStateException("the application exited: " + tail());
        }
        try {
            HttpResponse<Void> response = HEALTH_CLIENT.send(
                    HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/q/health/ready")).build(),
                    HttpResponse.BodyHandlers.discarding());
            return response.statusCode() == 200 || response.statusCode() == 503;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    synchronized ManagedChannel channel() {
        if (channel == null) {
            channel = ManagedChannelBuilder.forAddress("localhost", port).usePlaintext().build();
        }
        return channel;
    }

    /** Sends SIGTERM and returns at once: the shutdown runs while the test goes on ({@link #awaitExit}). */
    void sendTerm() {
        process.destroy();
    }

    /** Waits for the process to exit, after a {@link #sendTerm}. */
    Exit awaitExit(Duration atMost) throws InterruptedException {
        long start = System.nanoTime();
        if (!process.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("no exit within " + atMost + ": " + tail());
        }
        return new Exit(process.exitValue(), Duration.ofNanos(System.nanoTime() - start));
    }

    /** Sends SIGTERM and waits for the exit. */
    Exit terminate(Duration atMost) throws InterruptedException {
        long start = System.nanoTime();
        process.destroy();
        boolean exited = process.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS);
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        if (!exited) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("no exit within " + atMost + " after SIGTERM: " + tail());
        }
        return new Exit(process.exitValue(), took);
    }

    /** Sends SIGINT (what Ctrl-C sends) and waits for the exit. */
    Exit interrupt(Duration atMost) throws IOException, InterruptedException {
        long start = System.nanoTime();
        Process kill = new ProcessBuilder("kill", "-INT", String.valueOf(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new AssertionError("kill -INT " + process.pid() + " failed");
        }
        boolean exited = process.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS);
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        if (!exited) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("no exit within " + atMost + " after SIGINT: " + tail());
        }
        return new Exit(process.exitValue(), took);
    }

    /** Kills the process with SIGKILL ({@link Process#destroyForcibly()}) and waits until it is gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("still alive 30 s after SIGKILL");
        }
    }

    /** The application's process id (the JVM's: it is started directly, not through a shell). */
    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    String tail() {
        try {
            String text = Files.readString(log);
            return text.length() > 4000 ? text.substring(text.length() - 4000) : text;
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() {
        if (channel != null) {
            channel.shutdownNow();
        }
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }

    record Exit(int code, Duration took) {}

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
