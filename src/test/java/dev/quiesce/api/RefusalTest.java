package dev.quiesce.api;

import dev.quiesce.auth.AuthException;
import dev.quiesce.drain.DrainRefusedException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;

/** The refusal table against SPEC §4–§6 and README's error tables. */
class RefusalTest {

    @ParameterizedTest
    @CsvSource({
        "INVALID_REQUEST, INVALID_ARGUMENT, 400",
        "SHUTTING_DOWN, FAILED_PRECONDITION, 409",
        "WRONG_DRAIN_ID, FAILED_PRECONDITION, 409",
        "MARKER_UNAVAILABLE, UNAVAILABLE, 503"})
    void eachDrainRefusalHasItsDocumentedGrpcCodeAndHttpStatus(DrainRefusedException.Reason reason, Status.Code code,
            int http) {
        Refusal refusal = Refusal.of(reason);

        assertThat(refusal.grpcCode()).isEqualTo(code);
        assertThat(refusal.httpStatus()).isEqualTo(http);
        assertThat(refusal.codeName()).isEqualTo(code.name());
    }

    @ParameterizedTest
    @CsvSource({"UNAUTHENTICATED, UNAUTHENTICATED, 401", "PERMISSION_DENIED, PERMISSION_DENIED, 403"})
    void eachAuthRefusalHasItsDocumentedGrpcCodeAndHttpStatus(AuthException.Kind kind, Status.Code code, int http) {
        Refusal refusal = Refusal.of(kind);

        assertThat(refusal.grpcCode()).isEqualTo(code);
        assertThat(refusal.httpStatus()).isEqualTo(http);
    }

    @ParameterizedTest
    @EnumSource(Refusal.class)
    void theRestCodeNameIsTheGrpcCodeNameAndTheGrpcAnswerCarriesTheDescription(Refusal refusal) {
        StatusRuntimeException answer = refusal.toGrpc("what to do");

        assertThat(refusal.codeName()).isEqualTo(refusal.name()).isEqualTo(refusal.grpcCode().name());
        assertThat(answer.getStatus().getCode()).isEqualTo(refusal.grpcCode());
        assertThat(answer.getStatus().getDescription()).isEqualTo("what to do");
        assertThat(refusal.httpStatus()).isBetween(400, 599);
    }
}
