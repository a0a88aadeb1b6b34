package dev.quiesce.bench;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * JMH's machine-wide lock, {@code <java.io.tmpdir>/jmh.lock}: the file lock every JMH run takes so
 * that two never measure on one machine at once (a second one fails at once: "Another JMH instance
 * might be running"). Section 6 holds it from its first JMH run to its last — this build's and the
 * baseline's child JVM — so no other developer's JMH run lands between or beside them, and tells its
 * own runs to skip the lock ({@code jmh.ignoreLock}, which JMH reads once, when its {@code Runner}
 * class loads: {@link #acquire} sets it for this JVM, for good, so it is for a harness whose JMH runs all
 * happen under the lock; {@link #CHILD_OPTION} is for a child JVM).
 * While another JMH run holds the lock, {@link #acquire} waits for it to end. Not thread-safe.
 */
final class JmhLock implements AutoCloseable {

    /** The option that lets a child JVM's JMH run while this harness holds the lock. */
    static final String CHILD_OPTION = "-Djmh.ignoreLock=true";

    private final FileChannel channel;
    private final FileLock lock;

    private JmhLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the lock, waiting at most {@code atMost} for another JMH run that holds it.
     *
     * @throws TimeoutException when the other run still holds it after {@code atMost}
     */
    static JmhLock acquire(Duration atMost) throws IOException, InterruptedException, TimeoutException {
        Path file = Path.of(System.getProperty("java.io.tmpdir"), "jmh.lock");
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            FileLock lock = channel.tryLock();
            if (lock == null) {
                System.out.printf("Another JMH run holds %s: waiting for it to end (at most %d min)%n", file,
                        atMost.toMinutes());
                lock = await(channel, atMost);
                System.out.println("Took " + file + ".");
            }
            System.setProperty("jmh.ignoreLock", "true");
            return new JmhLock(channel, lock);
        } catch (IOException | InterruptedException | TimeoutException | RuntimeException e) {
            channel.close(); // also ends a lock() still blocked in await
            throw e;
        }
    }

    /** The blocking {@link FileChannel#lock()} on its own thread, so the wait can be bounded. */
    private static FileLock await(FileChannel channel, Duration atMost)
            throws IOException, InterruptedException, TimeoutException {
        CompletableFuture<FileLock> taken = new CompletableFuture<>();
        Thread waiter = new Thread(() -> {
            try {
                taken.complete(channel.lock());
            } catch (IOException | RuntimeException e) {
                taken.completeExceptionally(e);
            }
        }, "bench-jmh-lock");
        waiter.setDaemon(true);
        waiter.start();
        try {
            return taken.get(atMost.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException("taking the JMH lock", e.getCause());
        } catch (TimeoutException e) {
            throw new TimeoutException("another JMH run still held the JMH lock after " + atMost.toMinutes() + " min");
        }
    }

    @Override
    public void close() throws IOException {
        lock.release();
        channel.close();
    }
}
