package dev.quiesce.marker;

import java.time.Instant;

/**
 * What reading the marker file found. Produced by {@link DrainMarkerStore#read()}, which never
 * throws; {@link MarkerJudge} decides what each result means for the drain.
 */
public sealed interface MarkerRead {

    /** No file at the marker path. */
    record Absent() implements MarkerRead {}

    /**
     * A JSON object was read.
     *
     * @param marker its fields
     * @param modifiedAt the file's mtime, the age fallback when {@code requested_at} is unusable
     */
    record Present(DrainMarker marker, Instant modifiedAt) implements MarkerRead {}

    /**
     * A file exists but is not a JSON object (bad JSON, an array, a number, empty, not UTF-8,
     * too large). Fails toward draining: someone meant to write a marker.
     *
     * @param problem what was wrong, for the operator
     * @param modifiedAt the file's mtime, from which its age is judged
     */
    record Unparseable(String problem, Instant modifiedAt) implements MarkerRead {}

    /**
     * The path exists but could not be read (an I/O error, a directory in its place). Treated as
     * absent; the problem is reported so an operator can see why a drain is not honoured.
     *
     * @param problem the I/O error, for the operator
     */
    record Unreadable(String problem) implements MarkerRead {}
}
