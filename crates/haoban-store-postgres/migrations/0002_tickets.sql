-- The hall's queue: tickets per center and day, numbered per category (A001, B001, ...).
CREATE TABLE ticket_counters (
    center   TEXT    NOT NULL,
    day      DATE    NOT NULL,
    category TEXT    NOT NULL,
    last     BIGINT  NOT NULL,
    PRIMARY KEY (center, day, category)
);

CREATE TABLE tickets (
    center      TEXT NOT NULL,
    day         DATE NOT NULL,
    number      TEXT NOT NULL,
    status      TEXT NOT NULL,
    window_name TEXT,
    issued_at   TEXT NOT NULL,
    state       TEXT NOT NULL,
    PRIMARY KEY (center, day, number)
);
CREATE INDEX tickets_by_status ON tickets (center, day, status);
