package dev.quiesce.drain;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quiesce.home.DurableFiles;
import dev.quiesce.home.IsoTimes;
import dev.quiesce.home.LogOnce;
import dev.quiesce.home.QuiesceHome;
import dev.quiesce.pipeline.TurnInfo;
import io.quarkus.logging.Log;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * The runtime status file {@code <home>/gateway_state.json} for dashboards, with the reference's
 * keys ({@code pid}, {@code kind}, {@code gateway_state}, {@code active_agents},
 * {@code start_time}, {@code updated_at}) plus Quiesce's ({@code drained}, {@code epoch},
 * {@code drain}, {@code in_flight}, {@code version}, {@code inbox}).
 *
 * <p>Writes are atomic (temp file + rename) and coalesced on one background thread: a burst of
 * turn starts and ends costs one write of the newest state, and the request path never waits for
 * the disk. A change of the phase, the drain, {@code drained} or the marker judgement is written at
 * once; a change of the running turns alone at most once per {@link #TURN_CHANGE_INTERVAL} (the
 * newest state is always written by then). Under full ingress every turn start and end is a change,
 * and rewriting the file for each kept a core busy in the data-plane benchmark. A failed
 * write is logged once per distinct cause and reported by {@link #lastError()}; the gateway keeps
 * working. Thread-safe.
 */
@ApplicationScoped
public class StatusFileWriter implements DrainListener {

    /** The file name, shared with the reference gateway. */
    public static final String FILE_NAME = "gateway_state.json";

    /** The longest a change of the running turns alone waits before it is written. */
    static final Duration TURN_CHANGE_INTERVAL = Duration.ofMillis(250);

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path path;
    private final Instant startTime;
    private final long pid = ProcessHandle.current().pid();
    private final AtomicReference<DrainSnapshot> pending = new AtomicReference<>();
    /** Where a delayed write of a turn's start or end reads the state; set by the first {@link #onTurn}. */
    private volatile Supplier<DrainSnapshot> turnState;
    /** True while a delayed write of a turns-only change is scheduled. */
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final ScheduledThreadPoolExecutor writer = new ScheduledThreadPoolExecutor(1, r -> {
        Thread thread = new Thread(r, "quiesce-status-file");
        thread.setDaemon(true);
        return thread;
    });
    private final LogOnce<String> writeFailure = LogOnce.tracker();
    /** Guarded by {@code this} (written in {@link #write}): the newest version on disk; -1 before the first write. */
    private long writtenVersion = -1;
    /** The state last written, to tell a turns-only change from one that must be written at once. */
    private volatile DrainSnapshot lastWritten;
    private volatile long lastWriteNanos = System.nanoTime() - TURN_CHANGE_INTERVAL.toNanos();

    @Inject
    public StatusFileWriter(QuiesceHome home, Clock clock) {
        this.path = home.resolveFile(FILE_NAME);
        this.startTime = clock.instant();
        // writeNow writes the last state itself; a delayed write must not hold up the shutdown
        writer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    @Override
    public void onChange(DrainSnapshot snapshot) {
        pending.set(snapshot);
        if (onlyTurnsDiffer(snapshot, lastWritten)) {
            scheduleDelayedWrite();
            return;
        }
        try {
            writer.execute(this::drainPending);
        } catch (RejectedExecutionException e) {
            // shutting down: writeNow writes the last state
        }
    }

    /** A turn's start or end alone: written with the next delayed write, from the state of that moment. */
    @Override
    public void onTurn(TurnChange change) {
        if (turnState == null) {
            turnState = change.state();
        }
        scheduleDelayedWrite();
    }

    /** The delayed write of a turns-only change: one at a time, at most once per {@link #TURN_CHANGE_INTERVAL}. */
    private void scheduleDelayedWrite() {
        if (!scheduled.compareAndSet(false, true)) {
            return;
        }
        long delay = lastWriteNanos + TURN_CHANGE_INTERVAL.toNanos() - System.nanoTime();
        try {
            writer.schedule(this::drainScheduled, Math.max(0, delay), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            scheduled.set(false); // shutting down: writeNow writes the last state
        }
    }

    /**
     * Writes {@code snapshot} now, on the caller's thread, after any queued write. Used for the
     * last write of a shutdown ({@code stopped}). Never throws.
     */
    public void writeNow(DrainSnapshot snapshot) {
        pending.set(null);
        writer.shutdown();
        try {
            writer.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        write(snapshot);
    }

    /**
     * Removes the temp files of writes that a crash (SIGKILL, power loss) cut off between write and
     * rename; without this every such crash would leave one in the home for good. Never throws.
     */
    @PostConstruct
    void removeLeftoverTempFiles() {
        int removed = DurableFiles.removeLeftoverTempFiles(path);
        if (removed > 0) {
            Log.infof("Removed %d temp file(s) a crashed status-file write left beside %s", removed, path);
        }
    }

    /** Why the last write failed; empty when it succeeded. */
    public String lastError() {
        String cause = writeFailure.current();
        return cause == null ? "" : cause;
    }

    public Path path() {
        return path;
    }

    @PreDestroy
    void close() {
        writer.shutdown();
    }

    private void drainScheduled() {
        scheduled.set(false); // before taking the state: a change after this schedules its own write
        Supplier<DrainSnapshot> state = turnState;
        if (state != null) {
            DrainSnapshot now = state.get();
            pending.accumulateAndGet(now, (queued, made) -> queued == null || made.version() > queued.version()
                    ? made : queued);
        }
        drainPending();
    }

    private void drainPending() {
        DrainSnapshot snapshot = pending.getAndSet(null);
        if (snapshot != null) {
            write(snapshot);
        }
    }

    /** True when {@code next} differs from {@code written} in the running turns (and version) only. */
    private static boolean onlyTurnsDiffer(DrainSnapshot next, DrainSnapshot written) {
        return written != null && next.phase() == written.phase() && next.drained() == written.drained()
                && Objects.equals(next.drain(), written.drain()) && next.marker().equals(written.marker())
                && next.inbox().error().equals(written.inbox().error());
    }

    private synchronized void write(DrainSnapshot snapshot) {
        if (snapshot.version() < writtenVersion) {
            return;
        }
        lastWriteNanos = System.nanoTime();
        try {
            DurableFiles.replace(path, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(render(snapshot)), false);
            writtenVersion = snapshot.version();
            lastWritten = snapshot;
            if (writeFailure.clear()) {
                Log.infof("Status file %s writable again", path);
            }
        } catch (Exception e) {
            String cause = e.toString();
            if (writeFailure.isNew(cause)) {
                Log.warnf("Could not write the status file %s: %s (the gateway keeps working)", path, cause);
            }
        }
    }

    ObjectNode render(DrainSnapshot snapshot) {
        ObjectNode root = JSON.createObjectNode();
        root.put("pid", pid);
        root.put("kind", "quiesce-gateway");
        root.put("gateway_state", snapshot.phase().statusName());
        root.put("active_agents", snapshot.inFlightCount());
        root.put("start_time", IsoTimes.format(startTime));
        root.put("updated_at", IsoTimes.format(snapshot.changedAt()));
        root.put("drained", snapshot.drained());
        root.put("epoch", snapshot.epoch());
        root.put("version", snapshot.version());
        ActiveDrain drain = snapshot.drain();
        if (drain == null) {
            root.putNull("drain");
        } else {
            ObjectNode node = root.putObject("drain");
            node.put("drain_id", drain.drainId());
            node.put("requested_at", drain.requestedAt() == null ? null : IsoTimes.format(drain.requestedAt()));
            node.put("principal", drain.principal());
            node.put("reason", drain.reason());
            node.put("suppress_notification", drain.suppressNotification());
            node.put("lease_expires_at",
                    drain.leaseExpiresAt() == null ? null : IsoTimes.format(drain.leaseExpiresAt()));
            node.put("source", drain.source().wireName());
        }
        InboxSummary inbox = snapshot.inbox();
        ObjectNode box = root.putObject("inbox");
        box.put("waiting", inbox.waiting());
        box.put("oldest_received_at", inbox.oldestReceivedAt() == null ? null : IsoTimes.format(inbox.oldestReceivedAt()));
        box.put("replaying", inbox.replaying());
        box.put("error", inbox.error());
        ArrayNode turns = root.putArray("in_flight");
        for (TurnInfo turn : snapshot.inFlight()) {
            ObjectNode node = turns.addObject();
            node.put("turn_id", turn.turnId());
            node.put("session", turn.sessionId());
            node.put("started_at", IsoTimes.format(turn.startedAt()));
            node.put("internal", turn.internal());
        }
        return root;
    }
}
