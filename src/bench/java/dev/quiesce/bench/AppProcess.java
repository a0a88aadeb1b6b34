package dev.quiesce.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The packaged gateway ({@code java -jar target/quarkus-app/quarkus-run.jar}) as a child process
 * on a free loopback port with its own home directory, as an operator would run it. Its output
 * goes to a log file. {@link #close()} sends SIGTERM and waits for the exit; a JVM shutdown hook
 * does the same if the harness is interrupted. Not thread-safe.
 */
final class AppProcess implements AutoCloseable {

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration READY_POLL = Duration.ofMillis(50);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(40);

    private final Process process;
    private final int port;
    private final Path home;
    private final Path log;
    private final Thread killOnExit;

    private AppProcess(Process process, int port, Path home, Path log) {
        this.process = process;
        this.port = port;
        this.home = home;
        this.log = log;
        this.killOnExit = new Thread(process::destroy, "bench-stop-app");
        Runtime.getRuntime().addShutdownHook(killOnExit);
    }

    /**
     * Starts the app and returns once {@code /q/health/ready} answers 200.
     *
     * @param jar the packaged {@code quarkus-run.jar}
     * @param home the home directory to give it (empty: it generates its token there)
     * @param log where its stdout and stderr go
     * @param extraJvmArgs further {@code -D} options, e.g. to change the poll interval
     * @throws IllegalStateException when it exits or is not ready within a minute (the log says why)
     */
    static AppProcess start(Path jar, Path home, Path log, List<String> extraJvmArgs)
            throws IOException, InterruptedException {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: package the app first (./mvnw -B -Pbench verify does)");
        }
        int port = freePort();
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Dquarkus.http.port=" + port);
        command.add("-Dquarkus.http.host=127.0.0.1");
        command.add("-Dquiesce.home=" + home);
        command.addAll(extraJvmArgs);
        command.add("-jar");
        command.add(jar.toString());
        Files.createDirectories(log.getParent());
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().put("QUIESCE_HOME", home.toString());
        AppProcess app = new AppProcess(builder.start(), port, home, log);
        try {
            app.awaitReady();
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

    /** The operator token the app generated on its first start. */
    String operatorToken() throws IOException {
        return Files.readString(home.resolve("control.token"), StandardCharsets.UTF_8).strip();
    }

    /**
     * SIGTERM ({@link Process#destroy()}), then waits for the exit.
     *
     * @return the exit code, or -1 if it had to be killed
     */
    int stop() throws InterruptedException {
        process.destroy();
        if (process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            return process.exitValue();
        }
        process.destroyForcibly();
        process.waitFor();
        return -1;
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

    private void awaitReady() throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready"))
                .timeout(Duration.ofSeconds(2)).GET().build();
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        int lastStatus = -1;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the app exited with " + process.exitValue()
                        + " before it was ready; see " + log);
            }
            try {
                lastStatus = http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode();
                if (lastStatus == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(READY_POLL.toMillis());
        }
        throw new IllegalStateException("the app was not ready within " + READY_TIMEOUT.toSeconds()
                + " s (last /q/health/ready status " + lastStatus + "); see " + log);
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port", e);
        }
    }
}
