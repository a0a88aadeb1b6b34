package dev.quiesce.api;

import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Gives the refusals the HTTP and gRPC transports make on their own a description a person can
 * act on. Runs ahead of every route, as a Vert.x filter:
 * <ul>
 *   <li>an {@code /api/} request whose declared {@code content-length} is over
 *       {@code quarkus.http.limits.max-body-size} is answered 413 with an {@link ApiError} body
 *       here, before the server's own size check answers it with an empty one (and the body is
 *       never read);
 *   <li>a gRPC call the transport ends without a {@code grpc-message} (a request message over
 *       {@code quarkus.grpc.server.max-inbound-message-size}: RESOURCE_EXHAUSTED) gets one added
 *       to its trailers-only answer.
 * </ul>
 * Not covered, because the server answers them before any route runs: a path whose
 * percent-encoding does not decode (its empty 400), a header block over
 * {@code quarkus.http.limits.max-header-size} (its empty 431) and a chunked body over the size
 * limit (its empty 413). Stateless and thread-safe.
 */
@ApplicationScoped
public class TransportErrors {

    /** Ahead of the server's upload-limit route (Vert.x order -2): a filter's order is minus its priority. */
    private static final int PRIORITY = 10;

    private static final String GRPC_STATUS = "grpc-status";
    private static final String GRPC_MESSAGE = "grpc-message";

    private final Optional<MemorySize> maxBodySize;

    public TransportErrors(
            @ConfigProperty(name = "quarkus.http.limits.max-body-size") Optional<MemorySize> maxBodySize) {
        this.maxBodySize = maxBodySize;
    }

    void register(@Observes Filters filters) {
        long limit = maxBodySize.map(MemorySize::asLongValue).orElse(Long.MAX_VALUE);
        filters.register(context -> filter(context, limit), PRIORITY);
    }

    private static void filter(RoutingContext context, long limit) {
        String contentType = context.request().getHeader(HttpHeaders.CONTENT_TYPE);
        if (contentType != null && contentType.startsWith("application/grpc")) {
            HttpServerResponse response = context.response();
            context.addHeadersEndHandler(ignored -> describeGrpcRefusal(response));
            context.next();
            return;
        }
        String declared = context.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        if (declared != null && context.request().path().startsWith("/api/") && exceeds(declared, limit)) {
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

    /** Adds a grpc-message to a trailers-only error answer that has none. */
    private static void describeGrpcRefusal(HttpServerResponse response) {
        String status = response.headers().get(GRPC_STATUS);
        if (status == null || status.equals("0") || response.headers().contains(GRPC_MESSAGE)) {
            return;
        }
        // Percent-encoding (gRPC's grpc-message rules) is not needed: the texts are plain ASCII.
        response.putHeader(GRPC_MESSAGE, switch (status) {
            case "8" -> "the request message is larger than the gateway accepts "
                    + "(quarkus.grpc.server.max-inbound-message-size; a message's text is at most 64 KiB)";
            default -> "the gRPC transport refused the call (status " + status + ") without saying why";
        });
    }

    private static boolean exceeds(String declared, long limit) {
        try {
            return Long.parseLong(declared.strip()) > limit;
        } catch (NumberFormatException e) {
            return false; // the server refuses a malformed length itself
        }
    }
}
