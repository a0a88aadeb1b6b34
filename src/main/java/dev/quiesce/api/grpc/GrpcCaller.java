package dev.quiesce.api.grpc;

import dev.quiesce.auth.Principal;
import io.grpc.Context;
import java.util.Optional;

/**
 * The authenticated caller of the current gRPC call, put into the gRPC {@link Context} by
 * {@link GrpcCallGuard}. Read it in the service method itself (the gRPC Context is bound to
 * the thread handling the call; Quarkus carries it over to {@code @Blocking} workers), and pass
 * the principal on explicitly to anything that runs later. Thread-safe.
 */
final class GrpcCaller {

    static final Context.Key<Principal> PRINCIPAL = Context.key("quiesce.principal");

    private GrpcCaller() {}

    /** The caller, or empty outside an authenticated call (open methods, other threads). */
    static Optional<Principal> current() {
        return Optional.ofNullable(PRINCIPAL.get());
    }

    /**
     * The caller of the current, authenticated call.
     *
     * @throws IllegalStateException outside an authenticated call
     */
    static Principal principal() {
        return current().orElseThrow(() -> new IllegalStateException(
                "no authenticated caller in the current gRPC Context: read it on the call's own thread"));
    }
}
