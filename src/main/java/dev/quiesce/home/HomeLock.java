package dev.quiesce.home;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;

/**
 * One gateway per home: an exclusive OS file lock on {@code <home>/.lock}, held for the life of the
 * process. Two gateways on one home would share drains, overwrite each other's status file and, with
 * the inbox, run the same message twice. The lock file holds the holder's PID so a second instance
 * can name it; the OS releases the lock when the holder exits, however it exits (SIGKILL included),
 * so a stale file never blocks a start. Thread-safe.
 */
public final class HomeLock implements AutoCloseable {

    /** The lock file's name in the home. */
    public static final String FILE_NAME = ".lock";

    private final Path path;
    private final FileChannel channel;
    private final FileLock lock;

    private HomeLock(Path path, FileChannel channel, FileLock lock) {
        this.path = path;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the lock on {@code home} (which must exist) and writes this process's PID into it.
     *
     * @throws HomeLockedException when another process (or another gateway in this JVM) holds it
     * @throws IOException when the lock file cannot be opened or written
     */
    public static HomeLock acquire(Path home) throws IOException {
        Path path = home.resolve(FILE_NAME);
        FileChannel channel = FileChannel.open(path,
                EnumSet.of(StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // another gateway in this JVM holds it
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        if (lock == null) {
            channel.close();
            throw new HomeLockedException(home, path, holder(path));
        }
        try {
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            channel.force(true);
        } catch (IOException | RuntimeException e) {
            lock.release();
            channel.close();
            throw e;
        }
        return new HomeLock(path, channel, lock);
    }

    /** The lock file. */
    public Path path() {
        return path;
    }

    /** Releases the lock (the file stays; the next holder overwrites its PID). Idempotent. */
    @Override
    public void close() throws IOException {
        if (channel.isOpen()) {
            lock.release();
            channel.close();
        }
    }

    /** The PID the lock file names, or a sentence saying it could not be read. Never throws. */
    private static String holder(Path path) {
        try {
            String text = Files.readString(path, StandardCharsets.US_ASCII).strip();
            return text.matches("\\d{1,10}") ? "PID " + text : "a process that wrote no PID";
        } catch (IOException | RuntimeException e) {
            return "a process whose PID could not be read";
        }
    }

    /** Another gateway holds the home. The message names the holder's PID and the lock file. */
    public static final class HomeLockedException extends IOException {
        HomeLockedException(Path home, Path lockFile, String holder) {
            super("another Quiesce gateway (" + holder + ") runs on the home " + home + " (it holds " + lockFile
                    + "); run one gateway per home: stop that one, or give this one its own quiesce.home");
        }
    }
}
