package dev.quiesce.api.rest;

/**
 * The JSON body of every REST error: {@code {"error": "...", "code": "..."}}. Immutable.
 *
 * @param error what was wrong and what to do, for a person
 * @param code a stable, machine-readable name, the gRPC status name where one fits
 *     ({@code UNAUTHENTICATED}, {@code PERMISSION_DENIED}, {@code INVALID_ARGUMENT}, ...)
 */
public record ApiError(String error, String code) {}
