package dev.quiesce.health;

import grpc.health.v1.HealthGrpc;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.quarkus.grpc.GlobalInterceptor;
import io.quarkus.grpc.runtime.health.GrpcHealthStorage;
import jakarta.inject.Singleton;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code grpc.health.v1.Health/Check} for a service the gateway does not have is answered NOT_FOUND,
 * as the health protocol says; Quarkus' own endpoint answers SERVING status UNKNOWN, which a probe
 * may read as "exists, state unclear". The known services are those {@link GrpcHealthPublisher}
 * keeps statuses for. {@code Watch} is left as it is: the protocol has it stream SERVICE_UNKNOWN.
 * Stateless and thread-safe; per-call state lives in the listener, whose callbacks gRPC serialises.
 */
@Singleton
@GlobalInterceptor
public class UnknownHealthService implements ServerInterceptor {

    private static final String CHECK = HealthGrpc.getCheckMethod().getFullMethodName();

    private final GrpcHealthStorage storage;

    public UnknownHealthService(GrpcHealthStorage storage) {
        this.storage = storage;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        ServerCall.Listener<Q> listener = next.startCall(call, headers);
        if (!CHECK.equals(call.getMethodDescriptor().getFullMethodName())) {
            return listener;
        }
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
            private boolean answered;

            @Override
            public void onMessage(Q message) {
                String service = ((HealthCheckRequest) message).getService();
                Set<String> known = new TreeSet<>(storage.getStatuses().keySet());
                if (known.contains(service)) {
                    super.onMessage(message);
                    return;
                }
                answered = true;
                call.close(Status.NOT_FOUND.withDescription("no service '" + service + "' here; the gateway reports "
                        + "health for " + String.join(", ", known.stream().map(s -> "'" + s + "'").toList())), new Metadata());
            }

            @Override
            public void onHalfClose() {
                if (!answered) {
                    super.onHalfClose();
                }
            }
        };
    }
}
