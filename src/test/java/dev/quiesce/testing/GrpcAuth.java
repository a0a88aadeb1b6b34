package dev.quiesce.testing;

import io.grpc.Metadata;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;

/** Attaches a bearer token to a blocking stub's calls. */
public final class GrpcAuth {

    private static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private GrpcAuth() {}

    public static <S extends AbstractStub<S>> S as(S stub, TestTokens token) {
        return withHeader(stub, token.bearer());
    }

    public static <S extends AbstractStub<S>> S withHeader(S stub, String authorization) {
        Metadata headers = new Metadata();
        headers.put(AUTHORIZATION, authorization);
        return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }
}
