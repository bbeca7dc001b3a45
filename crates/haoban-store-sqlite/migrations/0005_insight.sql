-- Monthly lists (5个维度) as computed, never rewritten: the list's JSON exactly as it was
-- serialized, and each member's scores beside it for queries. Decimals stay TEXT ("87.50"),
-- exactly as the list writes them.
CREATE TABLE monthly_lists (
    center          TEXT    NOT NULL,
    month           TEXT    NOT NULL,
    list            TEXT    NOT NULL,
    catalog_version TEXT,
    through_seq     INTEGER NOT NULL,
    saved_at        TEXT    NOT NULL,
    saved_by        TEXT    NOT NULL,
    PRIMARY KEY (center, month)
);

CREATE TABLE monthly_scores (
    center     TEXT    NOT NULL,
    month      TEXT    NOT NULL,
    staff      TEXT    NOT NULL,
    rank       INTEGER NOT NULL,
    total      TEXT    NOT NULL,
    quantity   TEXT    NOT NULL,
    efficiency TEXT,
    value      TEXT    NOT NULL,
    evaluation TEXT,
    quality    TEXT,
    PRIMARY KEY (center, month, staff),
    FOREIGN KEY (center, month) REFERENCES monthly_lists (center, month)
);
