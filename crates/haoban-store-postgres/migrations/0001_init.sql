-- The same tables as the SQLite store, in PostgreSQL types. Every table carries the
-- center, so a city can partition or distribute by it.

-- The process record: one hash chain per center (see haoban-cases record.rs). `at` and
-- `payload` stay TEXT: they are hashed byte for byte (JSONB would reorder keys, and a
-- timestamp type would reformat the time).
CREATE TABLE events (
    center      TEXT   NOT NULL,
    seq         BIGINT NOT NULL,
    case_number TEXT,
    at          TEXT   NOT NULL,
    actor       TEXT   NOT NULL,
    role        TEXT   NOT NULL,
    kind        TEXT   NOT NULL,
    payload     TEXT   NOT NULL,
    prev_hash   TEXT   NOT NULL,
    hash        TEXT   NOT NULL,
    PRIMARY KEY (center, seq)
);
CREATE INDEX events_by_case ON events (center, case_number, seq);

-- The last entry the application wrote per center: appends and cuts show against it.
-- Writers lock a center's row (SELECT ... FOR UPDATE) to append, so the chain never forks.
CREATE TABLE chain_heads (
    center TEXT   NOT NULL PRIMARY KEY,
    seq    BIGINT NOT NULL,
    hash   TEXT   NOT NULL
);

CREATE TABLE case_counters (
    center TEXT   NOT NULL,
    day    DATE   NOT NULL,
    last   BIGINT NOT NULL,
    PRIMARY KEY (center, day)
);

-- Projection of the events: rebuildable, never the source of truth.
CREATE TABLE cases (
    center     TEXT        NOT NULL,
    number     TEXT        NOT NULL,
    item       TEXT        NOT NULL,
    status     TEXT        NOT NULL,
    clerk      TEXT,
    applicant  TEXT        NOT NULL,
    version    BIGINT      NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    state      TEXT        NOT NULL,
    PRIMARY KEY (center, number)
);
CREATE INDEX cases_by_status ON cases (center, status, updated_at);
CREATE INDEX cases_by_applicant ON cases (center, applicant);

CREATE TABLE users (
    center        TEXT        NOT NULL,
    username      TEXT        NOT NULL PRIMARY KEY,
    role          TEXT        NOT NULL,
    password_hash TEXT        NOT NULL,
    disabled      BOOLEAN     NOT NULL DEFAULT FALSE,
    failed_logins BIGINT      NOT NULL DEFAULT 0,
    locked_until  TIMESTAMPTZ,
    created_at    TIMESTAMPTZ NOT NULL
);

CREATE TABLE sessions (
    center     TEXT        NOT NULL,
    id_hash    TEXT        NOT NULL PRIMARY KEY,
    kind       TEXT        NOT NULL,
    subject    TEXT        NOT NULL,
    role       TEXT        NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    last_seen  TIMESTAMPTZ NOT NULL,
    csrf_token TEXT        NOT NULL
);
CREATE INDEX sessions_by_subject ON sessions (subject);

CREATE TABLE login_codes (
    center     TEXT        NOT NULL,
    id_number  TEXT        NOT NULL PRIMARY KEY,
    code_hash  TEXT        NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    attempts   BIGINT      NOT NULL
);
