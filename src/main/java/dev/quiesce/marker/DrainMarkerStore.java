package dev.quiesce.marker;

import dev.quiesce.home.DurableFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;

/**
 * The drain-marker file {@code <home>/.drain_request.json}: durable atomic write, durable
 * removal, and a read that never throws. Thread-safe; callers that need read-modify-write
 * consistency (the drain state bean) serialise their own calls.
 */
public final class DrainMarkerStore {

    /** The file name, shared with the reference gateway. */
    public static final String FILE_NAME = ".drain_request.json";

    /** Larger files are not markers anyone wrote on purpose; they are read as unparseable. */
    static final int MAX_MARKER_BYTES = 64 * 1024;

    private final Path path;

    public DrainMarkerStore(Path home) {
        this.path = home.resolve(FILE_NAME);
    }

    /** The marker's path. */
    public Path path() {
        return path;
    }

    /**
     * Writes {@code marker} durably (temp file, fsync, rename, directory fsync; mode 0600).
     *
     * @throws MarkerWriteException when it cannot; the previous marker (or its absence) is intact
     */
    public void write(DrainMarker marker) {
        try {
            DurableFiles.replace(path, MarkerCodec.encode(marker), true);
        } catch (IOException e) {
            throw new MarkerWriteException("could not write the drain marker " + path + ": " + describe(e), e);
        }
    }

    /**
     * Removes the marker durably. Idempotent.
     *
     * @return true if a marker was removed, false if there was none
     * @throws MarkerWriteException when a marker exists but cannot be removed; it is still there
     */
    public boolean remove() {
        try {
            return DurableFiles.remove(path);
        } catch (IOException e) {
            throw new MarkerWriteException("could not remove the drain marker " + path + ": " + describe(e), e);
        }
    }

    /** Deletes temp files a crashed write left behind. Never throws; returns how many. */
    public int removeLeftoverTempFiles() {
        return DurableFiles.removeLeftoverTempFiles(path);
    }

    /**
     * Reads the marker. Never throws: a missing file is {@link MarkerRead.Absent}; a file that is
     * not one UTF-8 JSON object (or is larger than 64 KiB) is {@link MarkerRead.Unparseable}, which
     * fails toward draining; an I/O error (including a directory in the file's place) is
     * {@link MarkerRead.Unreadable}, which is treated as absent.
     */
    public MarkerRead read() {
        try {
            BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
            if (!attributes.isRegularFile()) {
                return new MarkerRead.Unreadable(path + " is not a regular file");
            }
            Instant modifiedAt = attributes.lastModifiedTime().toInstant();
            byte[] bytes;
            try (InputStream in = Files.newInputStream(path)) {
                bytes = in.readNBytes(MAX_MARKER_BYTES + 1);
            }
            if (bytes.length > MAX_MARKER_BYTES) {
                return new MarkerRead.Unparseable("larger than " + MAX_MARKER_BYTES + " bytes", modifiedAt);
            }
            try {
                return new MarkerRead.Present(MarkerCodec.decode(bytes), modifiedAt);
            } catch (MarkerCodec.MarkerFormatException e) {
                return new MarkerRead.Unparseable(e.getMessage(), modifiedAt);
            }
        } catch (NoSuchFileException e) {
            return new MarkerRead.Absent();
        } catch (IOException | RuntimeException e) {
            return new MarkerRead.Unreadable("could not read " + path + ": " + describe(e));
        }
    }

    /** True if something (file, directory, link) occupies the marker path. */
    public boolean exists() {
        return Files.exists(path, LinkOption.NOFOLLOW_LINKS);
    }

    static String describe(Exception e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : " (" + message + ")");
    }
}
