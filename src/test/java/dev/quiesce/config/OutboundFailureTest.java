package dev.quiesce.config;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * What {@link OutboundHttp#failure} makes of the JDK client's real failures, on the loopback interface:
 * words a person reads, never a Java type.
 */
class OutboundFailureTest {

    private final HttpClient client = OutboundHttp.newClient(Duration.ofSeconds(2));
    private final CountDownLatch testOver = new CountDownLatch(1);

    @AfterEach
    void endTest() {
        testOver.countDown();
    }

    @Test
    void aClosedPortIsARefusedConnection() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }

        OutboundHttp.Failure failure = OutboundHttp.failure(failureOf("http://127.0.0.1:" + closedPort + "/x"));

        assertThat(failure).isEqualTo(new OutboundHttp.Failure(true, "connection refused"));
        assertThat(failure.sentence()).isEqualTo("could not connect (connection refused)");
    }

    @Test
    void aHostThatDoesNotResolveIsAnUnknownHost() {
        OutboundHttp.Failure failure = OutboundHttp.failure(failureOf("http://no-such-host.invalid/x"));

        assertThat(failure).isEqualTo(new OutboundHttp.Failure(true, "unknown host"));
    }

    @Test
    void aServerThatHangsUpWithoutAnAnswerIsSaidSo() throws IOException {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture.runAsync(() -> {
                try (Socket socket = server.accept(); InputStream in = socket.getInputStream()) {
                    readRequest(in); // then hang up without a word
                } catch (IOException e) {
                    // the test sees the client's side
                }
            });

            OutboundHttp.Failure failure =
                    OutboundHttp.failure(failureOf("http://127.0.0.1:" + server.getLocalPort() + "/x"));

            assertThat(failure.sentence())
                    .isEqualTo("the request failed (the connection closed before the answer was complete)");
        }
    }

    @Test
    void aServerThatNeverAnswersIsNoAnswerInTime() throws IOException {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture.runAsync(() -> {
                try (Socket socket = server.accept()) {
                    testOver.await(30, TimeUnit.SECONDS);
                } catch (IOException e) {
                    // the test sees the client's side
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });

            OutboundHttp.Failure failure = OutboundHttp.failure(failureOf(
                    "http://127.0.0.1:" + server.getLocalPort() + "/x", Duration.ofMillis(300)));

            assertThat(failure).isEqualTo(new OutboundHttp.Failure(false, "no answer in time"));
        }
    }

    @Test
    void somethingUnforeseenNamesNoJavaType() {
        OutboundHttp.Failure failure = OutboundHttp.failure(new IllegalStateException("boom"));

        assertThat(failure.sentence()).isEqualTo("the request failed (an unexpected error)");
    }

    /** Reads up to the end of the request's two-byte body, {@code {}}. */
    private static void readRequest(InputStream in) throws IOException {
        StringBuilder read = new StringBuilder();
        int b;
        while (!read.toString().endsWith("\r\n\r\n{}") && (b = in.read()) >= 0) {
            read.append((char) b);
        }
    }

    private Throwable failureOf(String url) {
        return failureOf(url, Duration.ofSeconds(5));
    }

    /** What the client's future fails with, as the gateway's callers receive it. */
    private Throwable failureOf(String url, Duration timeout) {
        try {
            client.sendAsync(HttpRequest.newBuilder(URI.create(url)).timeout(timeout)
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.discarding())
                    .get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e;
        } catch (Exception e) {
            fail("the request did not fail as a request: " + e);
        }
        return fail("the request to " + url + " succeeded");
    }
}
