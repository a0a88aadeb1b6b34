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

    /** The largest marker {@link #save} keeps for an undo; a larger file is not one anyone wrote on purpose. */
    static final int MAX_SAVED_BYTES = 1024 * 1024;

    private final Path path;
    private final DurableFiles.SlowDisk slowDisk;

    public DrainMarkerStore(Path home) {
        this(home, DurableFiles.NONE);
    }

    /** For tests: every write and removal pauses in {@code slowDisk} once it has completed. */
    public DrainMarkerStore(Path home, DurableFiles.SlowDisk slowDisk) {
        this.path = home.resolve(FILE_NAME);
        this.slowDisk = slowDisk;
    }

    /**
     * The file as it is before a change, byte for byte, so the change can be undone with
     * {@link #restore}. Immutable.
     *
     * @param bytes the content; null when there was no file
     * @param problem why the content is not known (it could not be read); empty when it is
     */
    public record Saved(byte[] bytes, String problem) {}

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
            DurableFiles.replace(path, MarkerCodec.encode(marker), true, slowDisk);
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
            return DurableFiles.remove(path, slowDisk);
        } catch (IOException e) {
            throw new MarkerWriteException("could not remove the drain marker " + path + ": " + describe(e), e);
        }
    }

    /** What the file holds now, for {@link #restore}. Never throws: what cannot be read says so. */
    public Saved save() {
        try {
            if (!Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
                return Files.exists(path, LinkOption.NOFOLLOW_LINKS)
                        ? new Saved(null, path + " is not a regular file") : new Saved(null, "");
            }
            try (InputStream in = Files.newInputStream(path)) {
                byte[] bytes = in.readNBytes(MAX_SAVED_BYTES + 1);
                return bytes.length > MAX_SAVED_BYTES
                        ? new Saved(null, path + " is larger than " + MAX_SAVED_BYTES + " bytes") : new Saved(bytes, "");
            }
        } catch (NoSuchFileException e) {
            return new Saved(null, "");
        } catch (IOException | RuntimeException e) {
            return new Saved(null, "could not read " + path + ": " + describe(e));
        }
    }

    /**
     * Puts the file back as {@code saved} found it: the same bytes, written durably, or no file.
     *
     * @throws MarkerWriteException when it cannot, or when {@code saved} does not know the content
     */
    public void restore(Saved saved) {
        if (!saved.problem().isEmpty()) {
            throw new MarkerWriteException("cannot put the drain marker " + path + " back: " + saved.problem(), null);
        }
        try {
            if (saved.bytes() == null) {
                DurableFiles.remove(path, slowDisk);
            } else {
                DurableFiles.replace(path, saved.bytes(), true, slowDisk);
            }
        } catch (IOException e) {
            throw new MarkerWriteException("could not put the drain marker " + path + " back: " + describe(e), e);
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
