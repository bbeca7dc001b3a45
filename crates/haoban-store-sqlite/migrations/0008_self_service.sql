-- The 24-hour self-service area and online handling: certificate cabinets, the results
-- waiting in their compartments (the pickup code only as a hash), and residents' uploads
-- with the SHA-256 every read checks.
CREATE TABLE cabinets (
    center   TEXT NOT NULL,
    name     TEXT NOT NULL,
    location TEXT NOT NULL,
    -- The compartments' sizes in door order, as JSON (["small", "small", "large"]).
    sizes    TEXT NOT NULL,
    PRIMARY KEY (center, name)
);

CREATE TABLE parcels (
    center      TEXT    NOT NULL,
    case_number TEXT    NOT NULL,
    id_number   TEXT    NOT NULL,
    cabinet     TEXT    NOT NULL,
    compartment INTEGER NOT NULL,
    status      TEXT    NOT NULL,
    deposited_at TEXT   NOT NULL,
    state       TEXT    NOT NULL,
    PRIMARY KEY (center, case_number, deposited_at)
);
-- A compartment holds one waiting parcel at a time.
CREATE UNIQUE INDEX parcels_in_compartment ON parcels (center, cabinet, compartment)
    WHERE status = 'waiting';
CREATE INDEX parcels_waiting_for ON parcels (center, id_number) WHERE status = 'waiting';

CREATE TABLE uploads (
    center      TEXT    NOT NULL,
    id          TEXT    NOT NULL,
    case_number TEXT    NOT NULL,
    uploaded_at TEXT    NOT NULL,
    state       TEXT    NOT NULL,
    body        BLOB    NOT NULL,
    PRIMARY KEY (center, id)
);
CREATE INDEX uploads_of_case ON uploads (center, case_number);

-- A resident's session a clerk opened beside them at the online area (网上办理导引):
-- the clerk's username, so every step taken in it is recorded as assisted.
ALTER TABLE sessions ADD COLUMN assisted_by TEXT;
