-- Ratings (好差评), one per target: the primary key is what refuses a second rating, even
-- of two given at once. `target` is `case:<number>` or `visit:<day>:<ticket>`.
CREATE TABLE ratings (
    center   TEXT     NOT NULL,
    target   TEXT     NOT NULL,
    rated_on DATE     NOT NULL,
    at       TEXT     NOT NULL,
    level    SMALLINT NOT NULL,
    staff    TEXT     NOT NULL,
    state    TEXT     NOT NULL,
    PRIMARY KEY (center, target)
);
CREATE INDEX ratings_by_day ON ratings (center, rated_on);

-- The follow-up a bad rating opens; its id is read off the rating's target.
CREATE TABLE follow_ups (
    center    TEXT    NOT NULL,
    id        TEXT    NOT NULL,
    due       DATE    NOT NULL,
    resolved  BOOLEAN NOT NULL,
    state     TEXT    NOT NULL,
    PRIMARY KEY (center, id)
);
CREATE INDEX follow_ups_open ON follow_ups (center, resolved, due);

-- One-time rating links sent to residents, by the SHA-256 of the token only.
CREATE TABLE rating_links (
    token_hash TEXT        NOT NULL PRIMARY KEY,
    center     TEXT        NOT NULL,
    target     TEXT        NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    state      TEXT        NOT NULL
);

-- Default ratings look for the deliveries of a center.
CREATE INDEX events_by_kind ON events (center, kind);
