package dev.quiesce.api.rest;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Gives the refusals the REST framework makes on its own — before a resource method runs — the
 * same JSON body as every other API error ({@link ApiError}): an {@code accept} header that
 * excludes JSON (406), a content type that cannot be parsed (415), a path that cannot be decoded
 * (400), a body over {@code quarkus.http.limits.max-body-size} (413). Without this they are
 * empty-bodied, and a client has nothing to act on. Stateless and thread-safe.
 */
public class RestFrameworkErrors {

    @ServerExceptionMapper
    public Response refused(WebApplicationException e) {
        Response original = e.getResponse();
        int status = original.getStatus();
        Response mapped = RestErrors.error(status, code(status), description(status));
        String allow = original.getHeaderString(HttpHeaders.ALLOW);
        return allow == null ? mapped : Response.fromResponse(mapped).header(HttpHeaders.ALLOW, allow).build();
    }

    private static String code(int status) {
        return switch (status) {
            case 400 -> "INVALID_ARGUMENT";
            case 404 -> "NOT_FOUND";
            case 405 -> "METHOD_NOT_ALLOWED";
            case 406 -> "NOT_ACCEPTABLE";
            case 413 -> "PAYLOAD_TOO_LARGE";
            case 415 -> "UNSUPPORTED_MEDIA_TYPE";
            default -> status >= 500 ? "INTERNAL" : "FAILED_PRECONDITION";
        };
    }

    private static String description(int status) {
        return switch (status) {
            case 400 -> "the request could not be read (a path or header that is not well-formed); "
                    + "check the URL's percent-encoding and the headers";
            case 404 -> "no such endpoint; the API is " + RestPathAccess.API;
            case 405 -> "this endpoint does not take that method; see the Allow header";
            case 406 -> "the API answers only application/json; send 'accept: application/json' or no accept header";
            case 413 -> "the body is larger than the gateway accepts (quarkus.http.limits.max-body-size); "
                    + "a message's text is at most 64 KiB";
            case 415 -> "send the body as application/json, with a content type that parses as a media type";
            default -> "the request was refused (HTTP " + status + ")";
        };
    }
}
