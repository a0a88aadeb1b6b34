package dev.quiesce.testing;

import dev.quiesce.home.DurableFiles;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A disk whose next file operation, once armed, does not return until the test lets it: the
 * operation has completed (the file is written or removed) but the caller is still inside it, as
 * with an fsync that takes seconds on a network volume. Later operations pass at once. Thread-safe.
 */
public final class PausedDisk implements DurableFiles.SlowDisk {

    private volatile CountDownLatch entered = new CountDownLatch(0);
    private volatile CountDownLatch released = new CountDownLatch(0);
    private volatile boolean armed;

    /** The next operation pauses until {@link #release()}. */
    public void armNext() {
        entered = new CountDownLatch(1);
        released = new CountDownLatch(1);
        armed = true;
    }

    /** Waits until the armed operation is paused inside the "disk". */
    public void awaitPaused() throws InterruptedException {
        if (!entered.await(10, TimeUnit.SECONDS)) {
            throw new AssertionError("no file operation reached the paused disk within 10 s");
        }
    }

    /** Lets the paused operation return. */
    public void release() {
        released.countDown();
    }

    @Override
    public void pause(Path target) throws IOException {
        if (!armed) {
            return;
        }
        armed = false;
        entered.countDown();
        try {
            if (!released.await(30, TimeUnit.SECONDS)) {
                throw new AssertionError("the paused file operation on " + target + " was never released");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while paused");
        }
    }
}
