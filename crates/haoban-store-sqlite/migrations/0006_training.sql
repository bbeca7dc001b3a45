-- Training (3先3后). Each row keeps its record as JSON (`state`, what haoban-insight
-- serializes) beside the columns it is looked up by. None of it is in the process record:
-- volume, mix and quality are computed from the record, these are what people decided.

-- Questions supervisors wrote, per center and item.
CREATE TABLE training_questions (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    center   TEXT    NOT NULL,
    item     TEXT    NOT NULL,
    added_at TEXT    NOT NULL,
    state    TEXT    NOT NULL
);
CREATE INDEX training_questions_by_item ON training_questions (center, item);

-- Tests taken, never changed: a retake is another row.
CREATE TABLE training_attempts (
    id     INTEGER PRIMARY KEY AUTOINCREMENT,
    center TEXT    NOT NULL,
    staff  TEXT    NOT NULL,
    item   TEXT    NOT NULL,
    at     TEXT    NOT NULL,
    passed BOOLEAN NOT NULL,
    state  TEXT    NOT NULL
);
CREATE INDEX training_attempts_by_staff ON training_attempts (center, staff, at);

-- One onboarding record per new member and center: mentor, start, reviews, the decision.
CREATE TABLE onboardings (
    center TEXT NOT NULL,
    staff  TEXT NOT NULL,
    start  DATE NOT NULL,
    state  TEXT NOT NULL,
    PRIMARY KEY (center, staff)
);
