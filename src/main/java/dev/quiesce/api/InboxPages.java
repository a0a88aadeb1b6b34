package dev.quiesce.api;

import dev.quiesce.api.v1.InboxEntry;
import dev.quiesce.api.v1.ListInboxResponse;
import dev.quiesce.inbox.Inbox;
import io.smallrye.mutiny.Uni;
import java.util.List;

/**
 * {@code ListInbox} and {@code GET /api/gateway/inbox}: one page of waiting entries, without their
 * texts. A page token is the position after the last entry shown ({@code "after:<seq>"}); anything
 * else is refused, so a client cannot probe the store. Stateless and thread-safe.
 */
public final class InboxPages {

    /** Entries per page when the caller asks for none. */
    public static final int DEFAULT_PAGE_SIZE = 100;
    /** The most entries a page may ask for. */
    public static final int MAX_PAGE_SIZE = 1000;

    private static final String TOKEN_PREFIX = "after:";

    private InboxPages() {}

    /** A request that cannot be answered: the message says what to send instead. */
    public static final class BadPageRequest extends RuntimeException {
        BadPageRequest(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * The page {@code pageSize} (0 = the default) entries long after {@code pageToken}.
     *
     * @throws BadPageRequest for a page size over {@link #MAX_PAGE_SIZE} or a token this server did not give
     */
    public static Uni<ListInboxResponse> page(Inbox inbox, long pageSize, String pageToken) {
        if (pageSize < 0 || pageSize > MAX_PAGE_SIZE) {
            throw new BadPageRequest("page_size is " + pageSize + "; send 1 to " + MAX_PAGE_SIZE + ", or 0 for "
                    + DEFAULT_PAGE_SIZE);
        }
        int size = pageSize == 0 ? DEFAULT_PAGE_SIZE : (int) pageSize;
        long after = after(pageToken == null ? "" : pageToken);
        // One more than asked: whether there is a next page.
        return inbox.page(after, size + 1).map(entries -> response(entries, size));
    }

    private static long after(String token) {
        if (token.isEmpty()) {
            return 0;
        }
        if (token.startsWith(TOKEN_PREFIX)) {
            try {
                long seq = Long.parseLong(token.substring(TOKEN_PREFIX.length()));
                if (seq >= 0) {
                    return seq;
                }
            } catch (NumberFormatException e) {
                // refused below
            }
        }
        throw new BadPageRequest("page_token is not one this server gave; send the next_page_token of the "
                + "previous answer, or none for the first page");
    }

    private static ListInboxResponse response(List<dev.quiesce.inbox.InboxEntry> entries, int size) {
        ListInboxResponse.Builder page = ListInboxResponse.newBuilder();
        for (dev.quiesce.inbox.InboxEntry entry : entries.subList(0, Math.min(size, entries.size()))) {
            page.addEntries(InboxEntry.newBuilder()
                    .setDeferredId(entry.deferredId())
                    .setSessionId(entry.sessionId())
                    .setChannel(entry.channel())
                    .setMessageId(entry.messageId())
                    .setKind(entry.kind().wireName())
                    .setReceivedAt(DrainStateMapper.timestamp(entry.receivedAt()))
                    .setAttempts(entry.attempts()));
        }
        if (entries.size() > size) {
            page.setNextPageToken(TOKEN_PREFIX + entries.get(size - 1).seq());
        }
        return page.build();
    }
}
