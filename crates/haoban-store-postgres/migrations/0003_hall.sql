-- Windows and their skills, visitors the first window registered, appointments by slot.
CREATE TABLE windows (
    center TEXT NOT NULL,
    name   TEXT NOT NULL,
    state  TEXT NOT NULL,
    PRIMARY KEY (center, name)
);

CREATE TABLE visitors (
    center    TEXT NOT NULL,
    id_number TEXT NOT NULL,
    state     TEXT NOT NULL,
    PRIMARY KEY (center, id_number)
);

CREATE TABLE appointments (
    center  TEXT NOT NULL,
    day     DATE NOT NULL,
    visitor TEXT NOT NULL,
    slot    TEXT NOT NULL,
    state   TEXT NOT NULL,
    PRIMARY KEY (center, day, visitor)
);
CREATE INDEX appointments_by_slot ON appointments (center, day, slot);
