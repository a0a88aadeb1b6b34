package dev.quiesce.notify;

import io.quarkus.logging.Log;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Pays a JDK HTTP client's first-use cost (class loading, its selector thread: about half a second)
 * long before a shutdown needs the client, with one POST to a throwaway socket on the loopback
 * interface — never to the webhook, which must not see a request that is not a notification.
 *
 * <p>Best effort, bounded by about {@link #BOUND} per step, never throws. Two threads of its own,
 * named apart so a thread dump tells them from each other: {@value #THREAD} runs a warm-up started
 * by {@link #startInBackground}, {@value #ANSWERER_THREAD} answers the throwaway socket. Stateless
 * and thread-safe.
 */
final class WebhookWarmUp {

    /** The thread that runs a warm-up started in the background. */
    static final String THREAD = "quiesce-webhook-warm-up";

    /** The thread that answers the warm-up's own request on the loopback socket. */
    static final String ANSWERER_THREAD = "quiesce-webhook-warm-up-answerer";

    /** How long each step (accepting, the exchange, the answerer's end) may take. */
    static final Duration BOUND = Duration.ofSeconds(2);

    private WebhookWarmUp() {}

    /**
     * Starts {@link #run} for {@code client} on a daemon thread named {@value #THREAD} (a warm-up
     * must never hold up the exit) and returns that thread.
     */
    static Thread startInBackground(HttpClient client) {
        Thread warmUp = new Thread(() -> run(client), THREAD);
        warmUp.setDaemon(true);
        warmUp.start();
        return warmUp;
    }

    /**
     * Warms {@code client} up in the calling thread.
     *
     * @return true if the warm-up request got its answer; false if it did not (logged at DEBUG:
     *     nothing depends on it)
     */
    static boolean run(HttpClient client) {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setSoTimeout((int) BOUND.toMillis());
            Thread answerer = new Thread(() -> answerOnce(socket), ANSWERER_THREAD);
            answerer.setDaemon(true);
            answerer.start();
            HttpRequest request = HttpRequest.newBuilder(
                            URI.create("http://" + socket.getInetAddress().getHostAddress() + ":"
                                    + socket.getLocalPort() + "/warm-up"))
                    .timeout(BOUND)
                    .header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{}"))
                    .build();
            HttpResponse<Void> response = client.sendAsync(request, HttpResponse.BodyHandlers.discarding())
                    .get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
            answerer.join(BOUND.toMillis());
            return response.statusCode() == 204;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (IOException | ExecutionException | TimeoutException | RuntimeException e) {
            Log.debugf("Webhook client warm-up did not complete: %s", e);
            return false;
        }
    }

    private static void answerOnce(ServerSocket socket) {
        try (Socket connection = socket.accept()) {
            InputStream in = connection.getInputStream();
            in.read(new byte[8192]); // the request; its content does not matter
            OutputStream out = connection.getOutputStream();
            out.write("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        } catch (IOException e) {
            // The client side reports the failure, if any.
        }
    }
}
