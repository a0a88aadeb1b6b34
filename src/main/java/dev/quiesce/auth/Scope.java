package dev.quiesce.auth;

import java.util.Locale;
import java.util.Optional;

/**
 * What a bearer token may do. Written in lowercase in the tokens file ({@code read}, {@code drain},
 * {@code ingest}, {@code internal}). Immutable and thread-safe.
 */
public enum Scope {
    /** Read the drain state: GetState, WatchState, {@code GET /api/gateway/state}. */
    READ,
    /** Begin and cancel drains: BeginDrain, CancelDrain, {@code POST /api/gateway/drain}. */
    DRAIN,
    /** Send user messages: MessageGateway, {@code POST /api/messages}. */
    INGEST,
    /** Send internal messages (the only ones admitted while draining). */
    INTERNAL;

    /** The name as written in the tokens file and in error descriptions, e.g. {@code drain}. */
    public String fileName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The scope written as {@code name} in the tokens file. Exact lowercase match only, so a
     * typo never silently grants or drops a scope.
     *
     * @return empty when {@code name} is no scope
     */
    public static Optional<Scope> fromFileName(String name) {
        for (Scope scope : values()) {
            if (scope.fileName().equals(name)) {
                return Optional.of(scope);
            }
        }
        return Optional.empty();
    }
}
