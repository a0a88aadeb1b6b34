package dev.quiesce.api.grpc;

import com.google.protobuf.Message;
import dev.quiesce.api.AccessRule;
import dev.quiesce.api.DrainCallAudit;
import dev.quiesce.api.Refusal;
import dev.quiesce.auth.AuthException;
import dev.quiesce.auth.Authenticator;
import dev.quiesce.auth.Principal;
import io.grpc.Context;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.quarkus.grpc.GlobalInterceptor;
import jakarta.inject.Singleton;

/**
 * The checks every gRPC call passes before a service sees it, in one interceptor so that a call
 * crosses one listener wrapper rather than one per check:
 * <ul>
 *   <li><b>Bearer auth.</b> The token must carry the scope the method needs ({@link GrpcMethodAccess}).
 *       A refused call is closed with UNAUTHENTICATED or PERMISSION_DENIED and an actionable
 *       description; an accepted one runs with its {@link Principal} in the gRPC Context
 *       ({@link GrpcCaller}). Health and reflection are open; a method without a rule is refused. A
 *       refused drain call goes to the audit log ({@link DrainCallAudit}).
 *   <li><b>Undecodable requests.</b> A unary or server-streaming call whose request bytes are not a
 *       valid protobuf message of the method's request type (truncated, an invalid wire type, a
 *       string that is not UTF-8) is answered INVALID_ARGUMENT with a description, instead of the
 *       transport's INTERNAL "Half-closed without a request".
 * </ul>
 *
 * <p>Why the undecodable check works this way: the Vert.x gRPC transport drops a request it cannot
 * decode and then half-closes the call, so the service never sees a message; grpc-java's unary
 * handler answers that with INTERNAL. A client that sends one message always precedes its
 * half-close with it, so a half-close with no message before it means the message did not decode.
 * Unknown fields and mismatched wire types of known fields decode fine (proto3 skips them) and
 * reach the service.
 *
 * <p>Why the principal is in the Context only around {@code onHalfClose} (and {@code startCall}):
 * that is where grpc-java invokes a unary or server-streaming service method, the one place
 * {@link GrpcCaller} is read. The other callbacks (messages, readiness, cancel, completion) never
 * need it, so they are not wrapped in an attach and a detach as {@code Contexts.interceptCall} would.
 *
 * <p>Thread-safe and non-blocking: one instance serves every call; per-call state lives in the
 * listener, whose callbacks gRPC serialises. The one write, a refused drain call's audit line (at
 * most one per kind per 10 s), happens on a worker thread: Quarkus runs the interceptors of the
 * {@code @Blocking} drain methods there.
 */
@Singleton
@GlobalInterceptor
public class GrpcCallGuard implements ServerInterceptor {

    static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private final Authenticator authenticator;
    private final DrainCallAudit audit;

    public GrpcCallGuard(Authenticator authenticator, DrainCallAudit audit) {
        this.authenticator = authenticator;
        this.audit = audit;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        MethodDescriptor<Q, R> method = call.getMethodDescriptor();
        AccessRule rule = GrpcMethodAccess.of(method.getFullMethodName());
        if (rule instanceof AccessRule.Denied denied) {
            return refuse(call, Refusal.PERMISSION_DENIED.grpcStatus(denied.description()));
        }
        Context context = null;
        if (rule instanceof AccessRule.Needs needs) {
            Principal principal;
            try {
                principal = authenticator.authorize(headers.get(AUTHORIZATION), needs.scope());
            } catch (AuthException e) {
                audit.authRefused(needs.scope(), method.getBareMethodName(), e);
                return refuse(call, Refusal.of(e.kind()).grpcStatus(e.description()));
            }
            context = Context.current().withValue(GrpcCaller.PRINCIPAL, principal);
        }
        boolean oneMessage = method.getType().clientSendsOneMessage();
        if (context == null) {
            ServerCall.Listener<Q> listener = next.startCall(call, headers);
            return oneMessage ? new Guarded<>(listener, call, null) : listener;
        }
        Context previous = context.attach();
        try {
            // Interceptors after this one see the caller too.
            return new Guarded<>(next.startCall(call, headers), oneMessage ? call : null, context);
        } finally {
            context.detach(previous);
        }
    }

    private static <Q, R> ServerCall.Listener<Q> refuse(ServerCall<Q, R> call, Status status) {
        call.close(status, new Metadata());
        return new ServerCall.Listener<>() {};
    }

    static String undecodable(MethodDescriptor<?, ?> method) {
        String type = method.getRequestMarshaller() instanceof MethodDescriptor.PrototypeMarshaller<?> prototype
                && prototype.getMessagePrototype() instanceof Message message
                ? message.getDescriptorForType().getFullName() : "the method's request message";
        return "the request to " + method.getFullMethodName() + " could not be decoded as a " + type
                + " (malformed or truncated protobuf, or a string field that is not UTF-8); nothing was done. "
                + "Send it with a client generated from proto/quiesce/v1";
    }

    /**
     * The call's listener behind the checks: answers a half-close without a message when
     * {@code oneMessageCall} is set, and runs {@code onHalfClose} with {@code context} attached
     * when there is one.
     */
    private static final class Guarded<Q> extends ForwardingServerCallListener.SimpleForwardingServerCallListener<Q> {
        private final ServerCall<Q, ?> oneMessageCall;
        private final Context context;
        private boolean received;

        Guarded(ServerCall.Listener<Q> delegate, ServerCall<Q, ?> oneMessageCall, Context context) {
            super(delegate);
            this.oneMessageCall = oneMessageCall;
            this.context = context;
        }

        @Override
        public void onMessage(Q message) {
            received = true;
            super.onMessage(message);
        }

        @Override
        public void onHalfClose() {
            if (oneMessageCall != null && !received) {
                answerUndecodable(oneMessageCall);
                return;
            }
            if (context == null) {
                super.onHalfClose();
                return;
            }
            Context previous = context.attach();
            try {
                super.onHalfClose();
            } finally {
                context.detach(previous);
            }
        }

        private static void answerUndecodable(ServerCall<?, ?> call) {
            try {
                call.close(Status.INVALID_ARGUMENT.withDescription(undecodable(call.getMethodDescriptor())),
                        new Metadata());
            } catch (IllegalStateException alreadyClosed) {
                // The call already has its answer; there is nothing to add.
            }
        }
    }
}
