package dev.quiesce.api.rest;

import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Answers an {@code /api/} request whose declared {@code content-length} is over
 * {@code quarkus.http.limits.max-body-size} with a 413 and the usual JSON error body
 * ({@link RestErrors}), before the server's own size check answers it with an empty one; the body
 * is never read. A Vert.x filter, because that check runs ahead of every JAX-RS filter.
 *
 * <p>Not covered, because the server answers them before any route runs: a path whose
 * percent-encoding does not decode (its empty 400), a header block over
 * {@code quarkus.http.limits.max-header-size} (its empty 431) and a chunked body over the size
 * limit (its empty 413). Stateless and thread-safe.
 */
@ApplicationScoped
public class RestBodyLimit {

    /** Ahead of the server's upload-limit route (Vert.x order -2): a filter's order is minus its priority. */
    private static final int PRIORITY = 10;

    private final Optional<MemorySize> maxBodySize;

    public RestBodyLimit(
            @ConfigProperty(name = "quarkus.http.limits.max-body-size") Optional<MemorySize> maxBodySize) {
        this.maxBodySize = maxBodySize;
    }

    void register(@Observes Filters filters) {
        long limit = maxBodySize.map(MemorySize::asLongValue).orElse(Long.MAX_VALUE);
        filters.register(context -> filter(context, limit), PRIORITY);
    }

    private static void filter(RoutingContext context, long limit) {
        String declared = context.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        if (declared != null && context.request().path().startsWith("/api/") && !isGrpc(context)
                && exceeds(declared, limit)) {
            context.response()
                    .setStatusCode(413)
                    .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                    .putHeader(HttpHeaders.CONNECTION, "close")
                    .end(RestErrors.json("PAYLOAD_TOO_LARGE", "the body is " + declared.strip()
                            + " bytes; the gateway accepts at most " + limit
                            + " (quarkus.http.limits.max-body-size), and a message's text at most 64 KiB"));
            return;
        }
        context.next();
    }

    /** A gRPC call is the gRPC transport's to refuse, whatever its path. */
    private static boolean isGrpc(RoutingContext context) {
        String contentType = context.request().getHeader(HttpHeaders.CONTENT_TYPE);
        return contentType != null && contentType.startsWith("application/grpc");
    }

    private static boolean exceeds(String declared, long limit) {
        try {
            return Long.parseLong(declared.strip()) > limit;
        } catch (NumberFormatException e) {
            return false; // the server refuses a malformed length itself
        }
    }
}
