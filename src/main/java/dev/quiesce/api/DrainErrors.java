package dev.quiesce.api;

import dev.quiesce.drain.DrainRefusedException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/** The one place drain refusals become gRPC statuses and HTTP codes. */
public final class DrainErrors {

    private DrainErrors() {}

    public static StatusRuntimeException toGrpc(DrainRefusedException e) {
        Status status = switch (e.reason()) {
            case INVALID_REQUEST -> Status.INVALID_ARGUMENT;
            case SHUTTING_DOWN, WRONG_DRAIN_ID -> Status.FAILED_PRECONDITION;
            case MARKER_UNAVAILABLE -> Status.UNAVAILABLE;
        };
        return status.withDescription(e.getMessage()).asRuntimeException();
    }

    public static int httpStatus(DrainRefusedException e) {
        return switch (e.reason()) {
            case INVALID_REQUEST -> 400;
            case SHUTTING_DOWN, WRONG_DRAIN_ID -> 409;
            case MARKER_UNAVAILABLE -> 503;
        };
    }

    /** The gRPC-style code name used in REST error bodies, so both APIs name a refusal alike. */
    public static String codeName(DrainRefusedException e) {
        return switch (e.reason()) {
            case INVALID_REQUEST -> "INVALID_ARGUMENT";
            case SHUTTING_DOWN, WRONG_DRAIN_ID -> "FAILED_PRECONDITION";
            case MARKER_UNAVAILABLE -> "UNAVAILABLE";
        };
    }
}
