package dev.quiesce.inbox;

import static dev.quiesce.inbox.Chats.chat;
import static dev.quiesce.testing.GatewayClient.session;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quiesce.api.v1.DrainControlGrpc;
import dev.quiesce.api.v1.DrainState;
import dev.quiesce.api.v1.GetStateRequest;
import dev.quiesce.api.v1.InboxEntry;
import dev.quiesce.api.v1.ListInboxRequest;
import dev.quiesce.api.v1.ListInboxResponse;
import dev.quiesce.drain.DrainStateBean;
import dev.quiesce.drain.StatusFileWriter;
import dev.quiesce.home.QuiesceHome;
import dev.quiesce.testing.GrpcAuth;
import dev.quiesce.testing.StateWatch;
import dev.quiesce.testing.TestHome;
import dev.quiesce.testing.TestTokens;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What an operator sees of the inbox (SPEC §9 Visibility): {@code DrainState.inbox} in GetState,
 * WatchState, the REST state, readiness and the status file; {@code ListInbox} and
 * {@code GET /api/gateway/inbox}, paged, scoped, never with a text; the files' modes.
 */
@QuarkusTest
@WithTestResource(TestHome.class)
class InboxVisibilityTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @GrpcClient("gateway")
    Channel channel;

    @Inject
    DrainStateBean state;

    @Inject
    QuiesceHome home;

    private InboxDriver inbox;

    @BeforeEach
    void emptyInbox() {
        inbox = new InboxDriver(channel, state, home);
        await().until(() -> state.current().inbox().waiting() == 0);
    }

    @AfterEach
    void running() {
        inbox.runUntilEmpty();
    }

    private List<String> deferThree(String s) {
        inbox.drain();
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            ids.add(inbox.deferred(chat(s, "private words " + i, "p-" + i)));
        }
        return ids;
    }

    private DrainControlGrpc.DrainControlBlockingStub reader() {
        return GrpcAuth.as(DrainControlGrpc.newBlockingStub(channel), TestTokens.READER);
    }

    @Test
    void getStateWatchStateTheRestStateReadinessAndTheStatusFileShowWhatWaits() throws IOException {
        Instant before = Instant.now();
        try (StateWatch watch = StateWatch.open(channel, TestTokens.READER)) {
            deferThree(session("visible"));

            DrainState got = reader().getState(GetStateRequest.getDefaultInstance());
            assertThat(got.getInbox().getWaiting()).isEqualTo(3);
            assertThat(got.getInbox().hasOldestReceivedAt()).isTrue();
            assertThat(got.getInbox().getOldestReceivedAt().getSeconds()).isBetween(before.getEpochSecond(),
                    Instant.now().getEpochSecond());
            assertThat(got.getInbox().getReplaying()).isFalse();
            assertThat(got.getInbox().getError()).isEmpty();
            assertThat(watch.awaitState(st -> st.getInbox().getWaiting() == 3).getInbox().getOldestReceivedAt())
                    .isEqualTo(got.getInbox().getOldestReceivedAt());
        }
        JsonPath rest = given().header("authorization", TestTokens.READER.bearer()).get("/api/gateway/state")
                .then().statusCode(200).extract().jsonPath();
        assertThat(rest.getInt("inbox.waiting")).isEqualTo(3);
        assertThat(rest.getString("inbox.oldestReceivedAt")).isNotEmpty();
        assertThat(rest.getString("inbox.error")).isEmpty();
        JsonPath ready = given().get("/q/health/ready").then().statusCode(503).extract().jsonPath();
        assertThat(ready.getInt("checks.find { it.name == 'quiesce-drain' }.data.inbox_waiting")).isEqualTo(3);
        Path statusFile = home.resolveFile(StatusFileWriter.FILE_NAME);
        JsonNode inbox = await().until(() -> JSON.readTree(Files.readString(statusFile)).path("inbox"),
                node -> node.path("waiting").asInt() == 3);
        assertThat(inbox.path("oldest_received_at").asText()).isNotEmpty();
        assertThat(inbox.path("replaying").asBoolean()).isFalse();
        assertThat(inbox.path("error").asText()).isEmpty();
    }

    @Test
    void listInboxPagesThroughTheWaitingEntriesOldestFirstWithoutTheirTexts() {
        String s = session("listed");
        List<String> ids = deferThree(s);

        List<InboxEntry> entries = new ArrayList<>();
        List<String> tokens = new ArrayList<>();
        String token = "";
        do {
            ListInboxResponse page = reader().listInbox(ListInboxRequest.newBuilder().setPageSize(1).setPageToken(token)
                    .build());
            assertThat(page.getEntriesList()).hasSize(1);
            assertThat(page.toString()).doesNotContain("private words");
            assertThat(page.toByteString().toStringUtf8()).doesNotContain("private words");
            entries.addAll(page.getEntriesList());
            token = page.getNextPageToken();
            tokens.add(token);
        } while (!token.isEmpty());

        assertThat(entries).extracting(InboxEntry::getDeferredId).containsExactlyElementsOf(ids);
        assertThat(tokens).as("two next pages, then none").hasSize(3).last().isEqualTo("");
        assertThat(entries.get(0)).satisfies(e -> {
            assertThat(e.getSessionId()).isEqualTo(s);
            assertThat(e.getChannel()).isEqualTo(Chats.channel(s));
            assertThat(e.getMessageId()).isEqualTo("p-1");
            assertThat(e.getKind()).isEqualTo("deferred");
            assertThat(e.hasReceivedAt()).isTrue();
            assertThat(e.getAttempts()).isZero();
        });
    }

    @Test
    void listInboxNeedsAReadTokenAndRefusesAPageTooLargeOrATokenItDidNotGive() {
        DrainControlGrpc.DrainControlBlockingStub anonymous = DrainControlGrpc.newBlockingStub(channel);
        DrainControlGrpc.DrainControlBlockingStub ingester = GrpcAuth.as(DrainControlGrpc.newBlockingStub(channel),
                TestTokens.INGESTER);
        ListInboxRequest first = ListInboxRequest.getDefaultInstance();

        assertThat(code(() -> anonymous.listInbox(first))).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(code(() -> ingester.listInbox(first))).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(code(() -> reader().listInbox(first.toBuilder().setPageSize(1001).build())))
                .isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(code(() -> reader().listInbox(first.toBuilder().setPageToken("after:seven").build())))
                .isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(code(() -> reader().listInbox(first.toBuilder().setPageToken("c2VxPTU=").build())))
                .isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(reader().listInbox(first.toBuilder().setPageSize(1000).build()).getEntriesList()).isEmpty();
    }

    private static Status.Code code(ThrowingCallable call) {
        Throwable refused = catchThrowable(call);
        assertThat(refused).isInstanceOf(StatusRuntimeException.class);
        return ((StatusRuntimeException) refused).getStatus().getCode();
    }

    @Test
    void theRestInboxIsTheSameListAsJsonAndRefusesBadParametersWith400() {
        String s = session("rest-listed");
        List<String> ids = deferThree(s);

        JsonPath first = given().header("authorization", TestTokens.READER.bearer()).queryParam("page_size", 2)
                .get("/api/gateway/inbox").then().statusCode(200).extract().jsonPath();
        JsonPath second = given().header("authorization", TestTokens.READER.bearer())
                .queryParam("page_token", first.getString("nextPageToken")).get("/api/gateway/inbox")
                .then().statusCode(200).extract().jsonPath();

        assertThat(first.getList("entries.deferredId")).containsExactly(ids.get(0), ids.get(1));
        assertThat(second.getList("entries.deferredId")).containsExactly(ids.get(2));
        assertThat(second.getString("nextPageToken")).isEmpty();
        assertThat(first.getMap("entries[0]")).containsKeys("deferredId", "sessionId", "channel", "messageId", "kind",
                "receivedAt").doesNotContainKey("text");
        assertThat(first.prettify() + second.prettify()).doesNotContain("private words");
        for (Map<String, Object> bad : List.of(Map.<String, Object>of("page_size", "ten"),
                Map.<String, Object>of("page_size", 1001), Map.<String, Object>of("page_token", "bogus"))) {
            given().header("authorization", TestTokens.READER.bearer()).queryParams(bad).get("/api/gateway/inbox")
                    .then().statusCode(400);
        }
        given().get("/api/gateway/inbox").then().statusCode(401);
        given().header("authorization", TestTokens.INGESTER.bearer()).get("/api/gateway/inbox").then().statusCode(403);
    }

    @Test
    void theInboxAndItsJournalFilesAreReadableByTheOwnerOnly() throws IOException {
        deferThree(session("modes"));

        for (String name : List.of("inbox.db", "inbox.db-wal", "inbox.db-shm")) {
            Path file = home.resolveFile(name);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).as(name)
                    .isEqualTo("rw-------");
        }
    }
}
