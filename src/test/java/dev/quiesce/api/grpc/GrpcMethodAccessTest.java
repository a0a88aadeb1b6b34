package dev.quiesce.api.grpc;

import dev.quiesce.api.AccessRule;
import dev.quiesce.api.v1.DrainControlGrpc;
import dev.quiesce.api.v1.MessageGatewayGrpc;
import dev.quiesce.auth.Scope;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

class GrpcMethodAccessTest {

    @ParameterizedTest
    @CsvSource({
        "quiesce.v1.DrainControl/GetState, READ",
        "quiesce.v1.DrainControl/WatchState, READ",
        "quiesce.v1.DrainControl/BeginDrain, DRAIN",
        "quiesce.v1.DrainControl/CancelDrain, DRAIN",
        "quiesce.v1.MessageGateway/HandleMessage, INGEST"})
    void eachQuiesceMethodNeedsItsScope(String method, Scope scope) {
        assertEquals(new AccessRule.Needs(scope), GrpcMethodAccess.of(method));
    }

    @Test
    void everyMethodTheProtoDefinesHasAScope() {
        Stream.of(DrainControlGrpc.getServiceDescriptor(), MessageGatewayGrpc.getServiceDescriptor())
                .flatMap(service -> service.getMethods().stream())
                .forEach(method -> assertInstanceOf(AccessRule.Needs.class, GrpcMethodAccess.of(method.getFullMethodName()),
                        method.getFullMethodName()));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "grpc.health.v1.Health/Check",
        "grpc.health.v1.Health/Watch",
        "grpc.health.v1.Health/List",
        "grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
        "grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo"})
    void healthAndReflectionAreOpen(String method) {
        assertInstanceOf(AccessRule.Open.class, GrpcMethodAccess.of(method));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "quiesce.v1.DrainControl/DeleteEverything",
        "quiesce.v1.DrainControl/getState",
        "quiesce.v2.DrainControl/GetState",
        "quiesce.v1.MessageGateway/HandleMessages",
        "grpc.healthy.v1.Health/Check",
        "grpc.health.v1Health/Check",
        "other.Service/Method",
        "no-slash"})
    void anyOtherMethodIsDeniedNamingIt(String method) {
        AccessRule rule = GrpcMethodAccess.of(method);

        assertEquals(new AccessRule.Denied("no scope grants '" + method
                + "': the gateway's auth rules do not list this method, so it is refused"), rule);
    }
}
