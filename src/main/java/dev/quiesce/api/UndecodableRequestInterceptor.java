package dev.quiesce.api;

import com.google.protobuf.Message;
import io.grpc.ForwardingServerCall;
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
 * Answers a unary or server-streaming call whose request bytes are not a valid protobuf message
 * of the method's request type (truncated, an invalid wire type, a string that is not UTF-8)
 * with INVALID_ARGUMENT and a description, instead of the transport's INTERNAL "Half-closed
 * without a request".
 *
 * <p>Why it works this way: the Vert.x gRPC transport drops a request it cannot decode and then
 * half-closes the call, so the service never sees a message; grpc-java's unary handler answers
 * that with INTERNAL. A client that sends one message always precedes its half-close with it, so
 * a half-close with no message before it means the message did not decode. Unknown fields and
 * mismatched wire types of known fields decode fine (proto3 skips them) and reach the service.
 *
 * <p>Thread-safe: one instance serves every call; per-call state lives in the wrappers.
 */
@Singleton
@GlobalInterceptor
public class UndecodableRequestInterceptor implements ServerInterceptor {

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        if (!call.getMethodDescriptor().getType().clientSendsOneMessage()) {
            return next.startCall(call, headers);
        }
        ClosingCall<Q, R> tracked = new ClosingCall<>(call);
        ServerCall.Listener<Q> listener = next.startCall(tracked, headers);
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
            private boolean received;

            @Override
            public void onMessage(Q message) {
                received = true;
                super.onMessage(message);
            }

            @Override
            public void onHalfClose() {
                if (!received && tracked.tryClose(Status.INVALID_ARGUMENT.withDescription(
                        describe(call.getMethodDescriptor())))) {
                    return;
                }
                super.onHalfClose();
            }
        };
    }

    static String describe(MethodDescriptor<?, ?> method) {
        String type = method.getRequestMarshaller() instanceof MethodDescriptor.PrototypeMarshaller<?> prototype
                && prototype.getMessagePrototype() instanceof Message message
                ? message.getDescriptorForType().getFullName() : "the method's request message";
        return "the request to " + method.getFullMethodName() + " could not be decoded as a " + type
                + " (malformed or truncated protobuf, or a string field that is not UTF-8); nothing was done. "
                + "Send it with a client generated from proto/quiesce/v1";
    }

    /** Remembers whether the call was closed, so it is never closed twice. */
    private static final class ClosingCall<Q, R> extends ForwardingServerCall.SimpleForwardingServerCall<Q, R> {
        private boolean closed;

        ClosingCall(ServerCall<Q, R> delegate) {
            super(delegate);
        }

        @Override
        public synchronized void close(Status status, Metadata trailers) {
            closed = true;
            super.close(status, trailers);
        }

        /** Closes with {@code status} unless already closed; true if this closed it. */
        synchronized boolean tryClose(Status status) {
            if (closed) {
                return false;
            }
            close(status, new Metadata());
            return true;
        }
    }
}
