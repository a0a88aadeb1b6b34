package dev.quiesce.api.rest;

/**
 * What the REST resource methods are timed as, with Micrometer's {@code @Timed}:
 * {@code quiesce_rest_requests_seconds{class, method, exception}} on {@code /q/metrics}. The HTTP
 * binder that would time them as {@code http_server_requests} is off (application.properties).
 */
final class RestTimer {

    static final String NAME = "quiesce.rest.requests";
    static final String DESCRIPTION = "REST calls, by resource class and method";

    private RestTimer() {}
}
