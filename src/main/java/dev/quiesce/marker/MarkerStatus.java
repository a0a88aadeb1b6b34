package dev.quiesce.marker;

/** How the marker file on disk was judged. */
public enum MarkerStatus {
    /** No marker file. */
    ABSENT,
    /** A well-formed marker for this instantiation, unexpired: a drain is requested. */
    ACTIVE,
    /** A file that is not a JSON object, not yet past max-age: treated as a drain (fail-safe). */
    UNPARSEABLE_ACTIVE,
    /** The file could not be read: treated as absent. */
    UNREADABLE,
    /** A marker that is present but no longer applies; see {@link IgnoredReason}. */
    IGNORED
}
