-- The access log (审计日志): one record per state-changing request and per read of
-- personal data, hash-chained as one chain (haoban_store::access). Append-only: the
-- application only inserts, and retention deletes the oldest only.
CREATE TABLE access_log (
    seq       INTEGER NOT NULL PRIMARY KEY,
    at        TEXT    NOT NULL,
    actor     TEXT    NOT NULL,
    role      TEXT    NOT NULL,
    center    TEXT    NOT NULL,
    action    TEXT    NOT NULL,
    object    TEXT    NOT NULL,
    status    INTEGER NOT NULL,
    outcome   TEXT    NOT NULL,
    source    TEXT    NOT NULL,
    prev_hash TEXT    NOT NULL,
    hash      TEXT    NOT NULL
);
CREATE INDEX access_log_by_time ON access_log (at);
CREATE INDEX access_log_by_actor ON access_log (actor, at);

-- The last record the application wrote: a cut or an append shows against it.
CREATE TABLE access_log_head (
    id   INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash TEXT    NOT NULL
);

-- Retention: when a visitor was last seen at the desk (visitors registered before this
-- migration count from their registration).
ALTER TABLE visitors ADD COLUMN last_seen TEXT;
UPDATE visitors SET last_seen = json_extract(state, '$.registered_at');

-- An upload whose bytes retention removed: the row, its description and SHA-256 stay.
ALTER TABLE uploads ADD COLUMN erased_at TEXT;
