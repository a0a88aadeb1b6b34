package dev.quiesce.api;

import dev.quiesce.auth.AuthException;
import dev.quiesce.drain.DrainRefusedException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/**
 * The refusals both APIs answer, as one table: each row is a gRPC status code, the HTTP status REST
 * answers with, and the code name REST error bodies carry (the gRPC code's name, so both APIs name
 * a refusal alike). Every domain refusal maps to its row here, once: a drain refusal by its
 * {@link DrainRefusedException.Reason}, an auth refusal by its {@link AuthException.Kind}, a
 * message that cannot become a turn ({@code InvalidMessageException}) and a field of the wrong
 * kind are {@link #INVALID_ARGUMENT}, an endpoint no access rule lists is {@link #PERMISSION_DENIED}.
 * The gRPC service and the REST resource of a call read the same row, so the two cannot drift
 * apart. Refusals only one transport makes (REST's 406, 413, 415; gRPC's undecodable request) stay
 * with that transport. Immutable and thread-safe.
 */
public enum Refusal {

    /** The request itself is wrong: a value out of range, a missing or malformed field. */
    INVALID_ARGUMENT(Status.Code.INVALID_ARGUMENT, 400),
    /** No token, a malformed authorization value, or a token no entry matches. */
    UNAUTHENTICATED(Status.Code.UNAUTHENTICATED, 401),
    /** A known token without the scope the call needs, or an endpoint no rule lists. */
    PERMISSION_DENIED(Status.Code.PERMISSION_DENIED, 403),
    /** The request is well-formed but the state refuses it: shutting down, not the active drain. */
    FAILED_PRECONDITION(Status.Code.FAILED_PRECONDITION, 409),
    /** The marker could not be written or removed; nothing changed, and the call may be retried. */
    UNAVAILABLE(Status.Code.UNAVAILABLE, 503);

    private final Status.Code grpcCode;
    private final int httpStatus;

    Refusal(Status.Code grpcCode, int httpStatus) {
        this.grpcCode = grpcCode;
        this.httpStatus = httpStatus;
    }

    /** The row of a refused drain transition. */
    public static Refusal of(DrainRefusedException.Reason reason) {
        return switch (reason) {
            case INVALID_REQUEST -> INVALID_ARGUMENT;
            case SHUTTING_DOWN, WRONG_DRAIN_ID -> FAILED_PRECONDITION;
            case MARKER_UNAVAILABLE -> UNAVAILABLE;
        };
    }

    /** The row of a refused token or scope. */
    public static Refusal of(AuthException.Kind kind) {
        return switch (kind) {
            case UNAUTHENTICATED -> UNAUTHENTICATED;
            case PERMISSION_DENIED -> PERMISSION_DENIED;
        };
    }

    /** The gRPC status code. */
    public Status.Code grpcCode() {
        return grpcCode;
    }

    /** The HTTP status REST answers with. */
    public int httpStatus() {
        return httpStatus;
    }

    /** The name REST error bodies carry as {@code code}: the gRPC code's, e.g. {@code FAILED_PRECONDITION}. */
    public String codeName() {
        return grpcCode.name();
    }

    /** The gRPC status with {@code description}, for a call to be closed with. */
    public Status grpcStatus(String description) {
        return Status.fromCode(grpcCode).withDescription(description);
    }

    /** The gRPC status with {@code description}, to be thrown from (or failed with in) a service method. */
    public StatusRuntimeException toGrpc(String description) {
        return grpcStatus(description).asRuntimeException();
    }
}
