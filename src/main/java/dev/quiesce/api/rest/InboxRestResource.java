package dev.quiesce.api.rest;

import dev.quiesce.api.InboxPages;
import dev.quiesce.inbox.Inbox;
import dev.quiesce.inbox.InboxUnavailableException;
import io.micrometer.core.annotation.Timed;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * {@code GET /api/gateway/inbox?page_size=N&page_token=T}: the REST twin of {@code ListInbox} (scope
 * {@code read}), answering the proto3 JSON of {@code ListInboxResponse}: the waiting entries, oldest
 * first, without their texts. Bad parameters are a 400 JSON error; an inbox that cannot be read, 503.
 */
@Path("/api/gateway/inbox")
public class InboxRestResource {

    private final Inbox inbox;

    @Inject
    public InboxRestResource(Inbox inbox) {
        this.inbox = inbox;
    }

    @Timed(value = RestTimer.NAME, description = RestTimer.DESCRIPTION)
    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> list(@QueryParam("page_size") String pageSize, @QueryParam("page_token") String pageToken) {
        long size;
        try {
            size = pageSize == null || pageSize.isEmpty() ? 0 : Long.parseLong(pageSize);
        } catch (NumberFormatException e) {
            return Uni.createFrom().item(RestErrors.invalid("page_size must be a whole number from 0 to "
                    + InboxPages.MAX_PAGE_SIZE + ", not '" + RestErrors.bounded(pageSize) + "'"));
        }
        try {
            return InboxPages.page(inbox, size, pageToken)
                    .map(page -> ProtoJson.ok(page))
                    .onFailure(InboxUnavailableException.class)
                    .recoverWithItem(e -> RestErrors.error(503, "UNAVAILABLE", e.getMessage()));
        } catch (InboxPages.BadPageRequest e) {
            return Uni.createFrom().item(RestErrors.invalid(e.getMessage()));
        }
    }
}
