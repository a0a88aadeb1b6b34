package dev.quiesce.config;

import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import javax.net.ssl.SSLException;

/**
 * The outbound HTTP set-up, written once for every configured endpoint Quiesce POSTs to (the agent
 * backend of {@code quiesce.turn.http.url}, the webhook of {@code quiesce.notify.webhook.url}):
 * the check that a configured URL is one the client can use, and the client itself.
 *
 * <p><b>Why in {@code config}.</b> Both halves are about a configured {@code quiesce.*} value: the
 * check names the property to fix, and the client is built from its timeout; {@link #failure} says
 * in words what went wrong with a request of that client. The two users
 * ({@code pipeline} and {@code notify}) already depend on this package for {@link QuiesceConfig},
 * so sharing it adds no dependency between packages; {@code dev.quiesce.home} is about the home
 * directory and would be a misleading home for an HTTP client.
 *
 * <p>Stateless and thread-safe.
 */
public final class OutboundHttp {

    /** Whether an error may quote the configured value. */
    public enum Quoting {
        /** The value is quoted (a backend URL: it holds no secret, and seeing it helps). */
        QUOTE,
        /** The value may hold a token (a webhook's path): errors name the property only. */
        NEVER
    }

    /**
     * Connect errors whose text says what happened and quotes nothing (no host, no URL), so a
     * {@link Failure} may repeat it, lower-cased.
     */
    private static final Set<String> PLAIN_CONNECT_ERRORS =
            Set.of("connection refused", "no route to host", "network is unreachable", "connection timed out");

    /** Texts of a connection the other side closed or reset mid-exchange. */
    private static final Set<String> CUT_OFF = Set.of("connection reset", "connection reset by peer", "broken pipe");

    private OutboundHttp() {}

    /**
     * What went wrong with a request, in words a person reads: never a Java type, never a URL, never an
     * exception's own message unless it is one of a few fixed connect error texts. The caller logs the
     * exception itself for the operator.
     *
     * @param connecting the connection was never made (the request did not reach the server)
     * @param cause what happened, e.g. {@code connection refused}, {@code unknown host}, {@code no
     *     answer in time}
     */
    public record Failure(boolean connecting, String cause) {

        /** {@code could not connect (connection refused)} or {@code the request failed (connection reset)}. */
        public String sentence() {
            return (connecting ? "could not connect" : "the request failed") + " (" + cause + ")";
        }
    }

    /**
     * What {@code thrown}, as the JDK client fails a request, means. Wrappers ({@link ExecutionException},
     * {@link CompletionException}) are looked through. A refused connection reaches Java 17's async
     * client as a bare {@link ConnectException} whose cause is a {@code ClosedChannelException}, neither
     * with a message: a {@link ConnectException} that says nothing else is read as refused. Never throws.
     */
    public static Failure failure(Throwable thrown) {
        Throwable failure = thrown;
        while ((failure instanceof ExecutionException || failure instanceof CompletionException)
                && failure.getCause() != null) {
            failure = failure.getCause();
        }
        if (failure instanceof HttpConnectTimeoutException) {
            return new Failure(true, "no connection in time");
        }
        if (failure instanceof HttpTimeoutException) {
            return new Failure(false, "no answer in time");
        }
        boolean connecting = false;
        boolean cutOff = false;
        String plain = null;
        Throwable t = failure;
        for (int depth = 0; t != null && depth < 10; depth++, t = t.getCause()) { // bounded: causes can loop
            if (t instanceof UnresolvedAddressException || t instanceof UnknownHostException) {
                return new Failure(true, "unknown host");
            }
            if (t instanceof SSLException) {
                return new Failure(connecting, "the TLS handshake failed");
            }
            connecting |= t instanceof ConnectException || t instanceof NoRouteToHostException;
            String message = t.getMessage() == null ? "" : t.getMessage().strip().toLowerCase(Locale.ROOT);
            if (plain == null && PLAIN_CONNECT_ERRORS.contains(message)) {
                plain = message;
            }
            cutOff |= t instanceof EOFException || CUT_OFF.contains(message)
                    || t instanceof IOException && message.contains("closed");
        }
        if (connecting) {
            return new Failure(true, plain != null ? plain : "connection refused");
        }
        if (cutOff) {
            return new Failure(false, "the connection closed before the answer was complete");
        }
        return new Failure(false, failure instanceof IOException ? "the connection failed" : "an unexpected error");
    }

    /**
     * The URL in {@code value}, the value of {@code property}, checked as {@link #requireUsable}
     * does, so a URL the client would refuse fails the start rather than every call.
     *
     * @throws IllegalArgumentException naming {@code property} when {@code value} is not a URL or not
     *     a usable one; it quotes {@code value} only with {@link Quoting#QUOTE} and never carries a
     *     cause (a {@link URISyntaxException}'s message repeats the input)
     */
    public static URI parseUrl(String property, String value, Quoting quoting) {
        URI url;
        try {
            url = new URI(value);
        } catch (URISyntaxException e) {
            throw refused(property, value, quoting, " (" + e.getReason() + ")");
        }
        return requireUsable(property, url, quoting);
    }

    /**
     * {@code url} if the JDK client can POST to it: an {@code http} or {@code https} URL (any case)
     * with a host.
     *
     * @throws IllegalArgumentException {@code "<property> must be an http:// or https:// URL with a
     *     host"}, followed by the URL only with {@link Quoting#QUOTE}
     */
    public static URI requireUsable(String property, URI url, Quoting quoting) {
        String scheme = url.getScheme();
        if (url.getHost() == null || !"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme)) {
            throw refused(property, url.toString(), quoting, "");
        }
        return url;
    }

    /**
     * A new JDK HTTP client: HTTP/1.1 (no h2c upgrade attempt on {@code http://}), redirects not
     * followed (a 3xx is an answer like any other non-2xx), connections bounded by
     * {@code connectTimeout}. Create it once, at startup: its first use costs about half a second.
     */
    public static HttpClient newClient(Duration connectTimeout) {
        return HttpClient.newBuilder()
                .connectTimeout(connectTimeout)
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    private static IllegalArgumentException refused(String property, String value, Quoting quoting, String why) {
        return new IllegalArgumentException(property + " must be an http:// or https:// URL with a host"
                + (quoting == Quoting.QUOTE ? ", not '" + value + "'" : "") + why);
    }
}
