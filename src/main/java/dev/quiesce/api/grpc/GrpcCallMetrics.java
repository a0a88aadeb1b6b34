package dev.quiesce.api.grpc;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.grpc.MetricCollectingServerInterceptor;
import io.quarkus.grpc.GlobalInterceptor;
import jakarta.enterprise.inject.spi.Prioritized;
import jakarta.inject.Singleton;

/**
 * Meters every gRPC call once, refused or not: Micrometer's own interceptor (the
 * {@code grpc_server_*} series, by service, method and status code), placed outside every Quarkus
 * interceptor instead of where Quarkus' gRPC binder puts it, which is off
 * ({@code quarkus.micrometer.binder.grpc-server.enabled=false}; on again, it would count each call a
 * second time).
 *
 * <p>Why: the binder registers the interceptor with priority 4000, inside Quarkus'
 * {@code GrpcDuplicatedContextGrpcInterceptor} (priority {@code Integer.MAX_VALUE - 5}). That one
 * starts the inner interceptors only at the call's first event, and a call closed while they start
 * (as {@link GrpcCallGuard} closes a refused one) marks its listener closed, so the completion that
 * follows at once is never handed to them: Micrometer records a call's duration and status on that
 * completion, and a non-blocking method refused as UNAUTHENTICATED or PERMISSION_DENIED left no
 * series. ({@code @Blocking} methods were metered, because the blocking interceptor starts the inner
 * ones later, on a worker.) Out here the interceptor sees the completion of every call. Calls the
 * transport refuses before any interceptor (a request over the size limit) are not metered.
 *
 * <p>Thread-safe, as Micrometer's interceptor is.
 */
@Singleton
@GlobalInterceptor
public class GrpcCallMetrics extends MetricCollectingServerInterceptor implements Prioritized {

    public GrpcCallMetrics(MeterRegistry registry) {
        super(registry);
    }

    /** Outside Quarkus' interceptors, and inside {@link GrpcDescriptions}, which only rewrites descriptions. */
    @Override
    public int getPriority() {
        return Integer.MAX_VALUE - 1;
    }
}
