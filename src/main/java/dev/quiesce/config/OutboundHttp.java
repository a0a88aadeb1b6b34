package dev.quiesce.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.time.Duration;

/**
 * The outbound HTTP set-up, written once for every configured endpoint Quiesce POSTs to (the agent
 * backend of {@code quiesce.turn.http.url}, the webhook of {@code quiesce.notify.webhook.url}):
 * the check that a configured URL is one the client can use, and the client itself.
 *
 * <p><b>Why in {@code config}.</b> Both halves are about a configured {@code quiesce.*} value: the
 * check names the property to fix, and the client is built from its timeout. The two users
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

    private OutboundHttp() {}

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
