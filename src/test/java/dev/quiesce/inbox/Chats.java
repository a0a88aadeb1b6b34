package dev.quiesce.inbox;

import dev.quiesce.api.v1.DrainControlGrpc;
import dev.quiesce.api.v1.InboundMessage;
import dev.quiesce.api.v1.ListInboxRequest;
import dev.quiesce.api.v1.ListInboxResponse;
import dev.quiesce.api.v1.WhenPaused;
import dev.quiesce.testing.GrpcAuth;
import dev.quiesce.testing.TestTokens;
import io.grpc.Channel;
import java.util.ArrayList;
import java.util.List;

/** Messages as a chat platform sends them, and the inbox as ListInbox shows it, for the inbox's app tests. */
final class Chats {

    private Chats() {}

    /** A user message of {@code session} from its chat channel {@code chat:<session>}. */
    static InboundMessage chat(String session, String text) {
        return chat(session, text, "");
    }

    /** The same, with the platform's message id. */
    static InboundMessage chat(String session, String text, String messageId) {
        return InboundMessage.newBuilder().setSessionId(session).setChannel(channel(session)).setText(text)
                .setMessageId(messageId).build();
    }

    /** A message asking for {@code whenPaused}. */
    static InboundMessage chat(String session, String text, WhenPaused whenPaused) {
        return chat(session, text).toBuilder().setWhenPaused(whenPaused).build();
    }

    static String channel(String session) {
        return "chat:" + session;
    }

    /** Every entry ListInbox shows for {@code session}, oldest first (all pages, with a read token). */
    static List<dev.quiesce.api.v1.InboxEntry> listed(Channel channel, String session) {
        List<dev.quiesce.api.v1.InboxEntry> entries = new ArrayList<>();
        String token = "";
        do {
            ListInboxResponse page = GrpcAuth.as(DrainControlGrpc.newBlockingStub(channel), TestTokens.READER)
                    .listInbox(ListInboxRequest.newBuilder().setPageSize(1000).setPageToken(token).build());
            page.getEntriesList().stream().filter(e -> e.getSessionId().equals(session)).forEach(entries::add);
            token = page.getNextPageToken();
        } while (!token.isEmpty());
        return entries;
    }

    /** The deferred_ids ListInbox shows for {@code session}, oldest first. */
    static List<String> listedIds(Channel channel, String session) {
        return listed(channel, session).stream().map(dev.quiesce.api.v1.InboxEntry::getDeferredId).toList();
    }
}
