package dev.quiesce.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The {@code http} turn handler against a backend that answers its headers and then stalls: the
 * JDK client's request timeout stops at the headers, so only the handler's own bound ends the turn.
 * A plain test on a raw loopback socket (the {@code @QuarkusTest}s cover the handler in the app).
 */
class HttpTurnHandlerStallTest {

    private static final Duration TIMEOUT = Duration.ofMillis(500);

    @Test
    void aBackendThatStallsAfterItsHeadersFailsTheTurnAtTheTimeoutAndIsHungUpOn() throws Exception {
        try (ServerSocket backend = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            HttpTurnHandler handler = new HttpTurnHandler(
                    URI.create("http://127.0.0.1:" + backend.getLocalPort() + "/turns"), TIMEOUT, Duration.ofSeconds(1));
            TurnRequest turn = new TurnRequest("t-1", "s-1", "#c", "hello", false, "m-1");
            long start = System.nanoTime();

            var pending = handler.run(turn).subscribeAsCompletionStage();
            try (Socket connection = backend.accept()) {
                InputStream in = connection.getInputStream();
                skipRequestHead(in);
                connection.getOutputStream().write(("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
                        + "content-length: 100\r\n\r\n{\"reply\": ").getBytes(StandardCharsets.US_ASCII));
                connection.getOutputStream().flush();

                Throwable failure = catchThrowable(() -> pending.toCompletableFuture().get(10, TimeUnit.SECONDS));
                Duration took = Duration.ofNanos(System.nanoTime() - start);

                assertThat(failure).hasCauseInstanceOf(TurnFailedException.class)
                        .cause().hasMessage("the agent backend did not answer within 0.5s");
                assertThat(took).isLessThan(TIMEOUT.plusSeconds(3));
                connection.setSoTimeout(5_000);
                assertThat(drainUntilClosed(in)).as("the gateway hung up").isTrue();
            }
        }
    }

    private static void skipRequestHead(InputStream in) throws IOException {
        byte[] end = {'\r', '\n', '\r', '\n'};
        int matched = 0;
        while (matched < end.length) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the request ended early");
            }
            matched = b == end[matched] ? matched + 1 : b == end[0] ? 1 : 0;
        }
    }

    /** Reads (the request body) until the peer closes: true, or the socket timeout: false. */
    private static boolean drainUntilClosed(InputStream in) throws IOException {
        try {
            while (in.read() >= 0) {
                // the request body
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        }
    }
}
