package dev.quiesce.config;

import com.sun.net.httpserver.HttpServer;
import dev.quiesce.config.OutboundHttp.Quoting;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The shared check of a configured outbound URL, and the client every outbound POST uses. */
class OutboundHttpTest {

    private static final String PROPERTY = "quiesce.example.url";

    @ParameterizedTest
    @ValueSource(strings = {"http://127.0.0.1:9000/turn", "https://hooks.example.org/services/T/B/x",
            "HTTPS://Example.org", "http://[::1]:8080/"})
    void anHttpOrHttpsUrlWithAHostIsTakenAsItIs(String value) {
        assertThat(OutboundHttp.parseUrl(PROPERTY, value, Quoting.NEVER)).isEqualTo(URI.create(value));
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost:9000/turn", "ftp://backend/turn", "http:///turn", "mailto:ops@example.org",
            "/relative/path", "http://bad host/", "http://host/%zz"})
    void anythingElseIsRefusedNamingThePropertyAndQuotingTheValueWhenAllowed(String value) {
        assertThatThrownBy(() -> OutboundHttp.parseUrl(PROPERTY, value, Quoting.QUOTE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(
                        PROPERTY + " must be an http:// or https:// URL with a host, not '" + value + "'")
                .hasNoCause();
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftp://files.example/s3cr3t", "https://hooks.example.org/s3cr3t x", "http:///s3cr3t",
            "mailto:ops@s3cr3t.example"})
    void aValueThatMayHoldATokenIsNeverQuoted(String value) {
        assertThatThrownBy(() -> OutboundHttp.parseUrl(PROPERTY, value, Quoting.NEVER))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(PROPERTY + " must be an http:// or https:// URL with a host")
                .hasMessageNotContaining("s3cr3t")
                .hasNoCause();
    }

    @Test
    void aParsedUriIsCheckedTheSameWay() {
        URI usable = URI.create("https://hooks.example.org/hook");

        assertThat(OutboundHttp.requireUsable(PROPERTY, usable, Quoting.NEVER)).isSameAs(usable);
        assertThatThrownBy(() -> OutboundHttp.requireUsable(PROPERTY, URI.create("file:///etc/s3cr3t"), Quoting.NEVER))
                .hasMessage(PROPERTY + " must be an http:// or https:// URL with a host");
    }

    @Test
    void theClientSpeaksHttp11AndDoesNotFollowRedirects() throws IOException, InterruptedException {
        List<String> paths = new CopyOnWriteArrayList<>();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            paths.add(exchange.getRequestURI().getPath());
            exchange.getResponseHeaders().add("location", "/elsewhere");
            exchange.sendResponseHeaders(302, -1);
            exchange.close();
        });
        server.start();
        try {
            HttpClient client = OutboundHttp.newClient(Duration.ofSeconds(2));
            URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook");

            HttpResponse<Void> response = client.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(5))
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.discarding());

            assertThat(response.statusCode()).isEqualTo(302);
            assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
            assertThat(paths).containsExactly("/hook");
            assertThat(client.connectTimeout()).contains(Duration.ofSeconds(2));
        } finally {
            server.stop(0);
        }
    }
}
