package dev.quiesce.api;

import dev.quiesce.auth.AuthException;
import dev.quiesce.auth.Authenticator;
import dev.quiesce.auth.Principal;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.quarkus.grpc.GlobalInterceptor;
import jakarta.inject.Singleton;

/**
 * Checks the bearer token of every gRPC call against the scope its method needs
 * ({@link GrpcMethodAccess}) before the service sees it. A refused call is closed with
 * UNAUTHENTICATED or PERMISSION_DENIED and an actionable description; an accepted one runs with
 * its {@link Principal} in the gRPC Context ({@link GrpcCaller}). Health and reflection are open;
 * a method without a rule is refused. Thread-safe and non-blocking.
 */
@Singleton
@GlobalInterceptor
public class GrpcAuthInterceptor implements ServerInterceptor {

    static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private final Authenticator authenticator;

    public GrpcAuthInterceptor(Authenticator authenticator) {
        this.authenticator = authenticator;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        AccessRule rule = GrpcMethodAccess.of(call.getMethodDescriptor().getFullMethodName());
        if (rule instanceof AccessRule.Open) {
            return next.startCall(call, headers);
        }
        if (rule instanceof AccessRule.Denied denied) {
            return refuse(call, Status.PERMISSION_DENIED.withDescription(denied.description()));
        }
        Principal principal;
        try {
            principal = authenticator.authorize(headers.get(AUTHORIZATION), ((AccessRule.Needs) rule).scope());
        } catch (AuthException e) {
            Status status = e.kind() == AuthException.Kind.PERMISSION_DENIED
                    ? Status.PERMISSION_DENIED : Status.UNAUTHENTICATED;
            return refuse(call, status.withDescription(e.description()));
        }
        Context context = Context.current().withValue(GrpcCaller.PRINCIPAL, principal);
        return Contexts.interceptCall(context, call, headers, next);
    }

    private static <Q, R> ServerCall.Listener<Q> refuse(ServerCall<Q, R> call, Status status) {
        call.close(status, new Metadata());
        return new ServerCall.Listener<>() {};
    }
}
