-- The inbox (SPEC §9): messages the gateway could not start when they arrived, kept until they
-- have been answered. Times are microseconds since 1970-01-01 UTC.

-- One row per saved message. seq is arrival order: entries of a session run in seq order, a
-- "resume" entry (a turn a shutdown cut off) before the others of its session.
CREATE TABLE inbox_entry (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    deferred_id TEXT    NOT NULL UNIQUE,
    kind        TEXT    NOT NULL CHECK (kind IN ('deferred', 'resume')),
    session_id  TEXT    NOT NULL,
    channel     TEXT    NOT NULL,
    message_id  TEXT    NOT NULL,
    internal    INTEGER NOT NULL,
    text        TEXT    NOT NULL,
    size_bytes  INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX inbox_entry_session ON inbox_entry (session_id, seq);
CREATE INDEX inbox_entry_message ON inbox_entry (session_id, message_id);

-- What was answered lately, by message id: a platform's retry of a message already answered is
-- recognised for quiesce.inbox.dedup-window after the answer went out.
CREATE TABLE inbox_replayed (
    session_id  TEXT    NOT NULL,
    message_id  TEXT    NOT NULL,
    deferred_id TEXT    NOT NULL,
    replayed_at INTEGER NOT NULL,
    PRIMARY KEY (session_id, message_id)
);
CREATE INDEX inbox_replayed_at ON inbox_replayed (replayed_at);
