package dev.quiesce.api.grpc;

import dev.quiesce.api.AccessRule;
import dev.quiesce.api.v1.DrainControlGrpc;
import dev.quiesce.api.v1.MessageGatewayGrpc;
import dev.quiesce.auth.Scope;
import io.grpc.MethodDescriptor;
import java.util.Map;

/** The scope each gRPC method needs, by full method name. Stateless and thread-safe. */
final class GrpcMethodAccess {

    /** Keyed by the generated descriptors' names: a method renamed or removed in the proto breaks the build here. */
    private static final Map<String, Scope> SCOPES = Map.of(
            DrainControlGrpc.getGetStateMethod().getFullMethodName(), Scope.READ,
            DrainControlGrpc.getWatchStateMethod().getFullMethodName(), Scope.READ,
            DrainControlGrpc.getListInboxMethod().getFullMethodName(), Scope.READ,
            DrainControlGrpc.getBeginDrainMethod().getFullMethodName(), Scope.DRAIN,
            DrainControlGrpc.getCancelDrainMethod().getFullMethodName(), Scope.DRAIN,
            // Internal messages also need Scope.INTERNAL: Principal.authorizeMessage, called by the message service.
            MessageGatewayGrpc.getHandleMessageMethod().getFullMethodName(), Scope.INGEST);

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
