package dev.quiesce.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A Server-Sent Events stream read over a real socket with the JDK client, line by line on its own
 * thread: the test takes lines ({@link #nextLine}) or whole events ({@link #nextData}) as they come.
 * One reader per stream; {@link #close} drops the connection.
 */
public final class SseStream implements AutoCloseable {

    private static final String END = "\u0000end";
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private final HttpResponse<Stream<String>> response;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final Thread reader;

    private SseStream(HttpResponse<Stream<String>> response) {
        this.response = response;
        this.reader = new Thread(() -> {
            try (Stream<String> body = response.body()) {
                body.forEach(lines::add);
            } catch (RuntimeException e) {
                // the connection closed under us (close(), or the server went away)
            } finally {
                lines.add(END);
            }
        }, "sse-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /** Opens {@code url} with {@code authorization} (none when null); returns once the headers are in. */
    public static SseStream open(String url, String authorization) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).header("accept", "text/event-stream")
                .timeout(Duration.ofSeconds(10));
        if (authorization != null) {
            request.header("authorization", authorization);
        }
        return new SseStream(CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofLines()));
    }

    public int status() {
        return response.statusCode();
    }

    public HttpHeaders headers() {
        return response.headers();
    }

    /** The next line, waiting up to {@code atMost}. */
    public String nextLine(Duration atMost) throws InterruptedException {
        String line = lines.poll(atMost.toMillis(), TimeUnit.MILLISECONDS);
        if (line == null) {
            throw new AssertionError("no line within " + atMost);
        }
        if (line.equals(END)) {
            throw new AssertionError("the stream ended");
        }
        return line;
    }

    /** The data of the next event (comments skipped), waiting up to {@code atMost} for each line. */
    public String nextData(Duration atMost) throws InterruptedException {
        List<String> data = new ArrayList<>();
        while (true) {
            String line = nextLine(atMost);
            if (line.isEmpty() && !data.isEmpty()) {
                return String.join("\n", data);
            }
            if (line.startsWith("data:")) {
                data.add(line.substring(line.startsWith("data: ") ? 6 : 5));
            }
        }
    }

    /** Whether the server ended the stream, waiting up to {@code atMost} (lines before the end are dropped). */
    public boolean ended(Duration atMost) throws InterruptedException {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (System.nanoTime() < deadline) {
            String line = lines.poll(Math.max(1, (deadline - System.nanoTime()) / 1_000_000), TimeUnit.MILLISECONDS);
            if (END.equals(line)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        reader.interrupt();
        // Closing the body stream cancels the subscription, which closes the connection.
        response.body().close();
    }
}
