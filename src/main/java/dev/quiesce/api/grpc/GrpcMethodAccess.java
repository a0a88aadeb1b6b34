package dev.quiesce.api.grpc;

import dev.quiesce.api.AccessRule;
import dev.quiesce.auth.Scope;
import io.grpc.MethodDescriptor;
import java.util.Map;

/** The scope each gRPC method needs, by full method name. Stateless and thread-safe. */
final class GrpcMethodAccess {

    private static final Map<String, Scope> SCOPES = Map.of(
            "quiesce.v1.DrainControl/GetState", Scope.READ,
            "quiesce.v1.DrainControl/WatchState", Scope.READ,
            "quiesce.v1.DrainControl/BeginDrain", Scope.DRAIN,
            "quiesce.v1.DrainControl/CancelDrain", Scope.DRAIN,
            // Internal messages also need Scope.INTERNAL: Principal.authorizeMessage, called by the message service.
            "quiesce.v1.MessageGateway/HandleMessage", Scope.INGEST);

    private static final AccessRule OPEN = new AccessRule.Open();

    private GrpcMethodAccess() {}

    /** The rule for {@code fullMethodName} ({@code package.Service/Method}); unknown methods are denied. */
    static AccessRule of(String fullMethodName) {
        Scope scope = SCOPES.get(fullMethodName);
        if (scope != null) {
            return new AccessRule.Needs(scope);
        }
        String service = MethodDescriptor.extractFullServiceName(fullMethodName);
        // Probes and grpcurl must work without a token (SPEC §5).
        if (service != null && (service.startsWith("grpc.health.v1.") || service.startsWith("grpc.reflection."))) {
            return OPEN;
        }
        return new AccessRule.Denied("no scope grants '" + fullMethodName
                + "': the gateway's auth rules do not list this method, so it is refused");
    }
}
