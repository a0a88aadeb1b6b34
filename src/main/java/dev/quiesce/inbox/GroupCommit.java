package dev.quiesce.inbox;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Group commit on the inbox's one writer: items queued from any thread are handed to {@code commit} on
 * the writer thread in batches — everything queued by the time the writer gets to them, up to
 * {@code most} — so one transaction and one fsync serve every caller that arrived while the previous
 * fsync ran. Throughput grows with the callers instead of staying at one fsync per item.
 *
 * <p>Order: items reach {@code commit} in the order they were queued (so a session's messages keep their
 * arrival order). A caller learns its item is committed only from {@code commit}'s answer, never from
 * {@link #add} returning. When the writer no longer takes work (closing), each item left goes to
 * {@code refuse} instead, on the caller's thread. Thread-safe: the queue is lock-free, and one flag
 * says whether a batch task is queued on the writer.
 */
final class GroupCommit<T> {

    private final InboxWriter writer;
    private final int most;
    private final Consumer<List<T>> commit;
    private final Consumer<T> refuse;
    private final ConcurrentLinkedQueue<T> queued = new ConcurrentLinkedQueue<>();
    /** True while a batch task is queued on the writer and has not yet started taking its batch. */
    private final AtomicBoolean scheduled = new AtomicBoolean();

    /**
     * @param most the largest batch (a bound on one transaction's size and on how long the writer's other
     *     work waits behind it)
     * @param commit on the writer: commits the batch and answers each item; must not throw
     * @param refuse answers an item the writer will never see
     */
    GroupCommit(InboxWriter writer, int most, Consumer<List<T>> commit, Consumer<T> refuse) {
        this.writer = writer;
        this.most = most;
        this.commit = commit;
        this.refuse = refuse;
    }

    /** Queues {@code item} for the writer's next batch. */
    void add(T item) {
        queued.add(item);
        schedule();
    }

    private void schedule() {
        if (scheduled.compareAndSet(false, true) && !writer.run(this::commitQueued)) {
            scheduled.set(false);
            for (T item = queued.poll(); item != null; item = queued.poll()) {
                refuse.accept(item);
            }
        }
    }

    /** On the writer: one batch; another task is queued for what is left, so other work gets its turn. */
    private void commitQueued() {
        // Cleared before the batch is taken: an item queued from now on either is in it or queues a task.
        scheduled.set(false);
        List<T> batch = new ArrayList<>();
        while (batch.size() < most) {
            T item = queued.poll();
            if (item == null) {
                break;
            }
            batch.add(item);
        }
        if (!batch.isEmpty()) {
            commit.accept(batch);
        }
        if (!queued.isEmpty()) {
            schedule();
        }
    }
}
