package dev.quiesce.home;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.UUID;

/**
 * Atomic replacement and removal of small files, so a reader never sees a half-written one.
 * Stateless and thread-safe (concurrent writers of one target each use their own temp file;
 * the last rename wins).
 */
public final class DurableFiles {

    /**
     * Temp files are named {@code .<target>.<random>.tmp} in the target's directory, without
     * doubling the dot of a hidden target: {@code .drain_request.json.<random>.tmp}.
     */
    static final String TEMP_SUFFIX = ".tmp";

    private DurableFiles() {}

    /**
     * A pause at the end of a file operation, after its last step: how tests make a disk slow (an
     * fsync that takes seconds on a network volume) to pin the races it opens. Production code
     * passes {@link #NONE}.
     */
    @FunctionalInterface
    public interface SlowDisk {
        /** Called once an operation on {@code target} has completed; returns when the "disk" is done. */
        void pause(Path target) throws IOException;
    }

    /** No pause. */
    public static final SlowDisk NONE = target -> {};

    /** {@link #replace(Path, byte[], boolean, SlowDisk)} without a pause. */
    public static void replace(Path target, byte[] content, boolean durable) throws IOException {
        replace(target, content, durable, NONE);
    }

    /** {@link #remove(Path, SlowDisk)} without a pause. */
    public static boolean remove(Path target) throws IOException {
        return remove(target, NONE);
    }

    /**
     * Replaces {@code target} with {@code content}, mode 0600: a temp file in the same directory,
     * written and (when {@code durable}) fsynced, renamed over the target, then the directory
     * fsynced so the rename itself survives a crash.
     *
     * @param slowDisk paused after the last step (tests only; {@link #NONE} otherwise)
     * @throws IOException when any step fails; the target is then unchanged and the temp file gone
     */
    public static void replace(Path target, byte[] content, boolean durable, SlowDisk slowDisk) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Path temp = dir.resolve(tempPrefix(target) + UUID.randomUUID() + TEMP_SUFFIX);
        try {
            try (FileChannel channel = FileChannel.open(temp,
                    EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                if (durable) {
                    channel.force(true);
                }
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("the file system cannot rename atomically in " + dir, e);
            }
        } catch (IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        if (durable) {
            syncDirectory(dir);
        }
        slowDisk.pause(target);
    }

    /**
     * Removes {@code target} and fsyncs its directory.
     *
     * @param slowDisk paused after the last step (tests only; {@link #NONE} otherwise)
     * @return true if a file was removed, false if there was none (not an error)
     * @throws IOException when the file exists but cannot be removed
     */
    public static boolean remove(Path target, SlowDisk slowDisk) throws IOException {
        boolean existed;
        try {
            Files.delete(target);
            existed = true;
        } catch (NoSuchFileException e) {
            existed = false;
        }
        if (existed) {
            syncDirectory(target.toAbsolutePath().getParent());
        }
        slowDisk.pause(target);
        return existed;
    }

    /**
     * Deletes temp files a crashed writer left beside {@code target}: regular files named as
     * {@link #replace} names them, nothing else. Never throws; one file that cannot be deleted does
     * not stop the others.
     *
     * @return how many were deleted
     */
    public static int removeLeftoverTempFiles(Path target) {
        Path dir = target.toAbsolutePath().getParent();
        int removed = 0;
        try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(dir, entry -> isTempFileOf(target, entry))) {
            for (Path leftover : leftovers) {
                try {
                    if (Files.isRegularFile(leftover, LinkOption.NOFOLLOW_LINKS) && Files.deleteIfExists(leftover)) {
                        removed++;
                    }
                } catch (IOException | RuntimeException e) {
                    // Best effort: a leftover temp file is never read as a marker.
                }
            }
        } catch (IOException | RuntimeException e) {
            // The directory cannot be listed: there is nothing we could clean.
        }
        return removed;
    }

    /** True if {@code candidate}'s file name is one {@link #replace} gives a temp file of {@code target}. */
    static boolean isTempFileOf(Path target, Path candidate) {
        String prefix = tempPrefix(target);
        String name = candidate.getFileName().toString();
        // The length check keeps ".drain_request.json.tmp" (prefix and suffix overlapping) out.
        return name.length() >= prefix.length() + TEMP_SUFFIX.length()
                && name.startsWith(prefix)
                && name.endsWith(TEMP_SUFFIX);
    }

    /** {@code .<name>.}, or {@code <name>.} when the name is already hidden. */
    private static String tempPrefix(Path target) {
        String name = target.getFileName().toString();
        return (name.startsWith(".") ? name : "." + name) + ".";
    }

    /** Makes a rename or unlink in {@code dir} durable (Linux allows fsync on a directory). */
    static void syncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }
}
