package dev.quiesce.inbox;

import dev.quiesce.config.Durations;
import io.quarkus.logging.Log;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The inbox's one writer thread and the store it owns: every use of the store runs here, in the order
 * it was asked for. Opens the store ({@link InboxFile}), loads the {@link InboxIndex} from it, and, when
 * a use of it fails, closes it and reports the inbox unavailable until a later {@link #reopen} works.
 * Tells its owner of every change of availability ({@code changed}, on this thread). Thread-safe: the
 * store and the error are written on the writer thread only, and read anywhere.
 */
final class InboxWriter {

    /** What a use of the store does. */
    @FunctionalInterface
    interface StoreWork<T> {
        T run(InboxStore store) throws SQLException;
    }

    private final InboxFile file;
    private final InboxIndex index;
    private final InboxMetrics metrics;
    private final Runnable changed;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread writer = new Thread(r, "quiesce-inbox-writer");
        writer.setDaemon(true);
        return writer;
    });
    /** Written on the writer thread (and at start); null while the inbox is unavailable. */
    private volatile InboxStore store;
    /** Written with {@link #store}: why it is null; empty while it works. */
    private volatile String error = "it is still being opened";
    /** Written with {@link #store}: how many times it was opened. */
    private volatile int openings;

    InboxWriter(InboxFile file, InboxIndex index, InboxMetrics metrics, Runnable changed) {
        this.file = file;
        this.index = index;
        this.metrics = metrics;
        this.changed = changed;
    }

    /** Runs {@code work} on the writer. @return false when the writer no longer takes work (closing) */
    boolean run(Runnable work) {
        try {
            thread.execute(work);
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    /** True while the store is open. */
    boolean isOpen() {
        return store != null;
    }

    /** How many times the store was opened (and the index loaded from it). */
    int openings() {
        return openings;
    }

    /** Why the store is not open; empty while it is. */
    String error() {
        return error;
    }

    /** On the writer, or at start (before it has work): opens the store, if it is not open, and loads the index. */
    void reopen() {
        if (store != null) {
            return;
        }
        InboxFile.Opened opened = file.open();
        if (opened instanceof InboxFile.Opened.Ready ready) {
            try {
                index.load(ready.store().page(0, Integer.MAX_VALUE));
                store = ready.store();
                openings++; // only the writer writes it
                error = "";
            } catch (SQLException e) {
                closeQuietly(ready.store());
                error = file.failed("it cannot be read: " + InboxFile.describe(e));
            }
        } else {
            error = ((InboxFile.Opened.Unavailable) opened).cause();
        }
        metrics.unavailable(store == null);
        changed.run();
    }

    /**
     * On the writer: {@code work} against the open store. A failure leaves the connection in any state
     * (SQLite rolls a transaction back by itself after an I/O error, and the driver then commits the next
     * statement on its own), so the store is closed, never used again, and the inbox is unavailable until
     * a later {@link #reopen} (which moves a corrupt file aside).
     *
     * @param doing what the work does, for the error
     * @return its result; empty when the store is not open, or the work failed
     */
    <T> Optional<T> withOpenStore(String doing, StoreWork<T> work) {
        InboxStore open = store;
        if (open == null) {
            return Optional.empty();
        }
        try {
            return Optional.ofNullable(work.run(open));
        } catch (SQLException | RuntimeException e) {
            store = null;
            closeQuietly(open);
            error = file.failed(doing + " failed: " + InboxFile.describe(e));
            metrics.unavailable(true);
            changed.run();
            return Optional.empty();
        }
    }

    /**
     * {@link #withOpenStore} from another thread, waiting for it: for the replay's thread, never an event
     * loop and never the writer itself.
     */
    <T> Optional<T> withStore(String doing, StoreWork<T> work) {
        CompletableFuture<Optional<T>> result = new CompletableFuture<>();
        if (!run(() -> result.complete(withOpenStore(doing, work)))) {
            return Optional.empty();
        }
        try {
            return result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (ExecutionException e) {
            return Optional.empty(); // withOpenStore does not throw
        }
    }

    /** Runs what is queued and then {@code last} (waiting up to {@code wait}), then closes the store. */
    void close(Runnable last, Duration wait) {
        run(last);
        thread.shutdown();
        try {
            if (!thread.awaitTermination(wait.toMillis(), TimeUnit.MILLISECONDS)) {
                // Stuck on the disk, holding the store: what it commits is durable without a close.
                Log.warnf("The inbox %s is still writing after %s; left open for the process exit", file.path(),
                        Durations.readable(wait));
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        InboxStore open = store;
        store = null;
        if (open != null) {
            try {
                open.close();
            } catch (SQLException e) {
                Log.warnf("Closing the inbox %s: %s", file.path(), InboxFile.describe(e));
            }
        }
    }

    private void closeQuietly(InboxStore which) {
        try {
            which.close();
        } catch (SQLException e) {
            Log.debugf("Closing the inbox %s after a failure: %s", file.path(), InboxFile.describe(e));
        }
    }
}
