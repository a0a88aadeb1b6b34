package dev.quiesce.drain;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quiesce.home.IsoTimes;
import dev.quiesce.home.LogOnce;
import dev.quiesce.home.OncePerInterval;
import dev.quiesce.home.QuiesceHome;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;

/**
 * {@code <home>/drain-audit.jsonl}: one JSON object per line for every begin, renew, cancel,
 * expiry and shutdown, with the principal, reason, drain_id, turns in flight and outcome, and for
 * every refused drain call. It owns the file's schema: the drain events ({@link #onEvent}), the
 * refusals ({@link #recordRefusal}), the shutdown's summary ({@link #recordShutdown}) and the inbox's
 * events ({@link #recordInbox}) are the only lines. Append-only, mode 0600. A failed append is logged once per distinct cause and never fails
 * the transition that caused it (the transition has already happened). Thread-safe.
 *
 * <p>Refusals of auth (no valid token, or a token without scope {@code drain}) can come at any rate,
 * from anyone: those are coalesced, at most one line per call, kind, principal and description per
 * {@link #COALESCE_INTERVAL}, whose {@code count} says how many refusals it stands for (itself and
 * those since the line before). What is held back when the gateway stops gets a last line before
 * the shutdown summary. Refusals the state makes (shutting down, another drain_id, the marker not
 * written, a value out of range) come from a caller with scope {@code drain} and get a line each.
 */
@ApplicationScoped
public class DrainAuditLog implements DrainListener {

    public static final String FILE_NAME = "drain-audit.jsonl";

    /** How often one kind of auth refusal of one call gets a line at most. */
    public static final Duration COALESCE_INTERVAL = Duration.ofSeconds(10);

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> COALESCED = Set.of("unauthenticated", "permission_denied");

    private final Path path;
    private final Clock clock;
    private final LogOnce<String> appendFailure = LogOnce.tracker();
    private final OncePerInterval<DrainRefusal> authRefusals;

    @Inject
    public DrainAuditLog(QuiesceHome home, Clock clock) {
        this.path = home.resolveFile(FILE_NAME);
        this.clock = clock;
        this.authRefusals = OncePerInterval.every(COALESCE_INTERVAL, clock);
    }

    /** For plain unit tests: the system clock. */
    public DrainAuditLog(QuiesceHome home) {
        this(home, Clock.systemUTC());
    }

    @Override
    public void onEvent(DrainEvent event) {
        ObjectNode line = JSON.createObjectNode();
        line.put("time", IsoTimes.format(event.time()));
        line.put("event", event.kind().wireName());
        line.put("principal", event.principal());
        line.put("reason", event.reason());
        line.put("drain_id", event.drainId());
        line.put("in_flight", event.inFlight());
        line.put("outcome", event.outcome());
        if (!event.detail().isEmpty()) {
            line.put("detail", event.detail());
        }
        append(line);
    }

    @Override
    public void onRefusal(DrainRefusal refusal) {
        recordRefusal(refusal);
    }

    /**
     * Appends a {@code refused} line ({@code principal}, {@code call}, {@code refusal}, {@code detail}:
     * the description, {@code count}), or counts it into the next one when it is an auth refusal
     * coalesced with one written less than {@link #COALESCE_INTERVAL} ago. Never throws.
     */
    public void recordRefusal(DrainRefusal refusal) {
        if (!COALESCED.contains(refusal.refusal())) {
            appendRefusal(refusal, 1, clock.instant());
            return;
        }
        OptionalLong heldBack = authRefusals.admit(refusal);
        if (heldBack.isPresent()) {
            appendRefusal(refusal, 1 + heldBack.getAsLong(), clock.instant());
        }
    }

    private void appendRefusal(DrainRefusal refusal, long count, Instant time) {
        ObjectNode line = JSON.createObjectNode();
        line.put("time", IsoTimes.format(time));
        line.put("event", "refused");
        line.put("principal", refusal.anonymous() ? "anonymous" : refusal.principal());
        line.put("call", refusal.call());
        line.put("refusal", refusal.refusal());
        line.put("outcome", "refused");
        line.put("detail", refusal.description());
        line.put("count", count);
        append(line);
    }

    /**
     * What a shutdown did, for its {@code shutdown_summary} line.
     *
     * @param inFlight turns running when it began
     * @param interrupted of those, the turns cut off at the drain timeout
     * @param sessionPingsSent interrupt pings delivered
     * @param sessionPingsFailed interrupt pings not delivered
     * @param homeBroadcast what happened to the home broadcast, lowercase ({@code sent}, {@code suppressed}, ...)
     * @param homeBroadcastDetail why, in a sentence
     * @param duration from SIGTERM to this line
     * @param time when it was written
     */
    public record ShutdownSummary(int inFlight, int interrupted, int sessionPingsSent, int sessionPingsFailed,
            String homeBroadcast, String homeBroadcastDetail, Duration duration, Instant time) {}

    /** Appends the lines of the auth refusals held back so far, then the shutdown's summary line. Never throws. */
    public void recordShutdown(ShutdownSummary summary) {
        authRefusals.drainHeldBack().forEach((refusal, count) -> appendRefusal(refusal, count, summary.time()));
        ObjectNode line = JSON.createObjectNode();
        line.put("time", IsoTimes.format(summary.time()));
        line.put("event", "shutdown_summary");
        line.put("principal", "system");
        line.put("in_flight", summary.inFlight());
        line.put("finished", summary.inFlight() - summary.interrupted());
        line.put("interrupted", summary.interrupted());
        line.put("session_pings_sent", summary.sessionPingsSent());
        line.put("session_pings_failed", summary.sessionPingsFailed());
        line.put("home_broadcast", summary.homeBroadcast());
        line.put("home_broadcast_detail", summary.homeBroadcastDetail());
        line.put("duration_ms", summary.duration().toMillis());
        line.put("outcome", "stopped");
        append(line);
    }

    /** Appends one line. Never throws: a failure is logged once per cause. */
    private synchronized void append(ObjectNode line) {
        try (FileChannel channel = FileChannel.open(path,
                EnumSet.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
            ByteBuffer bytes = ByteBuffer.wrap((JSON.writeValueAsString(line) + "\n").getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
            if (appendFailure.clear()) {
                Log.infof("The audit log %s takes lines again", path);
            }
        } catch (IOException | RuntimeException e) {
            if (appendFailure.isNew(e.toString())) {
                Log.warnf("Could not append to the audit log %s: %s (logged once per cause)", path, e.toString());
            }
        }
    }

    public Path path() {
        return path;
    }

    /** The most lines {@link #newest} returns. */
    public static final int MAX_NEWEST = 200;

    /** How far from the end {@link #newest} reads at most: 200 lines of the longest kind with room to spare. */
    private static final long NEWEST_WINDOW = 4L * 1024 * 1024;

    /**
     * The last {@code limit} lines of the log, newest first, each as the JSON object it was written as.
     * A line that is not a JSON object (an append cut off by a crash, an edit by hand) is left out, so fewer
     * than {@code limit} may come back though the file has more. No file yet: an empty list.
     *
     * @param limit 1 to {@link #MAX_NEWEST}
     * @throws IOException when the file exists but cannot be read
     * @throws IllegalArgumentException when {@code limit} is out of range
     */
    public List<ObjectNode> newest(int limit) throws IOException {
        if (limit < 1 || limit > MAX_NEWEST) {
            throw new IllegalArgumentException("limit must be from 1 to " + MAX_NEWEST + ", not " + limit);
        }
        List<ObjectNode> events = new ArrayList<>();
        for (String line : AuditTail.lastLines(path, limit, NEWEST_WINDOW)) {
            try {
                if (JSON.readTree(line) instanceof ObjectNode event) {
                    events.add(event);
                }
            } catch (IOException e) {
                // Not JSON: a torn last line or a hand edit. The log's readers skip it.
            }
        }
        return events;
    }

    /**
     * An inbox event, for its audit line (SPEC §9): ids and counts, never a message's text.
     *
     * @param event {@code inbox_deferred} (saves of one session, batched), {@code inbox_replayed},
     *     {@code inbox_expired} or {@code inbox_resume} (a running turn recorded at a shutdown, SPEC §10)
     * @param sessionId the session the entries belong to
     * @param deferredId the entry; for a batch, its first
     * @param lastDeferredId for a batch of more than one, its last; empty otherwise
     * @param count how many entries the line stands for
     * @param outcome what happened: {@code saved}, {@code delivered}, {@code delivery_failed}, {@code expired},
     *     {@code recorded}, {@code discarded}
     * @param detail more, in words (the phase, the turn's outcome, the attempts); may be empty
     * @param time when (for a batch, its last entry)
     */
    public record InboxLine(String event, String sessionId, String deferredId, String lastDeferredId, int count,
            String outcome, String detail, Instant time) {}

    /** Appends an inbox line ({@code principal} system). Never throws. */
    public void recordInbox(InboxLine inbox) {
        ObjectNode line = JSON.createObjectNode();
        line.put("time", IsoTimes.format(inbox.time()));
        line.put("event", inbox.event());
        line.put("principal", "system");
        line.put("session_id", inbox.sessionId());
        line.put("deferred_id", inbox.deferredId());
        if (!inbox.lastDeferredId().isEmpty()) {
            line.put("last_deferred_id", inbox.lastDeferredId());
        }
        line.put("count", inbox.count());
        line.put("outcome", inbox.outcome());
        if (!inbox.detail().isEmpty()) {
            line.put("detail", inbox.detail());
        }
        append(line);
    }
}
