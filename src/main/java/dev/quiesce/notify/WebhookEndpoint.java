package dev.quiesce.notify;

import dev.quiesce.config.OutboundHttp;
import java.net.URI;
import java.util.Locale;

/**
 * Where the webhook sink POSTs ({@code quiesce.notify.webhook.url}): an {@code http} or
 * {@code https} URL with a host. Such a URL often carries a token in its path (Slack's does), so
 * the URL is never quoted in an error, {@link #toString()} is the {@link #loggable()} form
 * {@code scheme://host:port}, and {@link #scrub} takes the URL out of a message before it is logged.
 *
 * <p>Immutable and thread-safe.
 */
final class WebhookEndpoint {

    /** The property the URL comes from; errors name it. */
    static final String PROPERTY = "quiesce.notify.webhook.url";

    private final URI url;
    private final String loggable;

    private WebhookEndpoint(URI url) {
        this.url = url;
        this.loggable = loggableForm(url);
    }

    /**
     * The endpoint at {@code value}, as configured.
     *
     * @throws IllegalArgumentException naming {@value #PROPERTY} when {@code value} is not a usable
     *     URL; the message never quotes it and the exception has no cause
     */
    static WebhookEndpoint parse(String value) {
        return new WebhookEndpoint(OutboundHttp.parseUrl(PROPERTY, value, OutboundHttp.Quoting.NEVER));
    }

    /**
     * The endpoint at {@code url}.
     *
     * @throws IllegalArgumentException as {@link #parse} does
     */
    static WebhookEndpoint of(URI url) {
        return new WebhookEndpoint(OutboundHttp.requireUsable(PROPERTY, url, OutboundHttp.Quoting.NEVER));
    }

    /** The whole URL, secret included: for the request only, never for a log line or a message. */
    URI url() {
        return url;
    }

    /**
     * The endpoint as it may be logged: {@code scheme://host:port} (the port filled in from the
     * scheme when the URL has none; an IPv6 host in brackets), never the user info, path or query.
     */
    String loggable() {
        return loggable;
    }

    /**
     * {@code message} with the URL replaced by the {@link #loggable()} form and, where the URL's
     * path appears on its own, the path by {@code /…}. For exception messages that may quote the
     * request. {@code null} stays {@code null}.
     */
    String scrub(String message) {
        if (message == null) {
            return null;
        }
        String scrubbed = message.replace(url.toString(), loggable);
        String path = url.getRawPath();
        if (path != null && path.length() > 1) {
            scrubbed = scrubbed.replace(path, "/…");
        }
        return scrubbed;
    }

    /** The {@link #loggable()} form: never the secret. */
    @Override
    public String toString() {
        return loggable;
    }

    private static String loggableForm(URI url) {
        String scheme = url.getScheme().toLowerCase(Locale.ROOT);
        int port = url.getPort();
        if (port < 0) {
            port = scheme.equals("https") ? 443 : 80;
        }
        String host = url.getHost();
        // URI.getHost() already brackets an IPv6 literal; a guard, so the form stays host:port-parseable.
        if (host.contains(":") && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        return scheme + "://" + host + ":" + port;
    }
}
