-- Offers (一键即享): a proactive benefit offered to a resident a scan found eligible, to
-- confirm or decline with one click. One offer per center, resident and item, ever: the
-- primary key refuses a second even when two scans run at once. The facts are the JSON
-- object of what the scan knew (what pre-review reads), so the portal can start the case.
-- The scan run itself is one `offers_made` entry of the process record.
CREATE TABLE offers (
    center      TEXT NOT NULL,
    id_number   TEXT NOT NULL,
    item        TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('open', 'confirmed', 'declined')),
    eligible_on TEXT NOT NULL,
    made_at     TEXT NOT NULL,
    made_by     TEXT NOT NULL,
    answered_at TEXT,
    facts       TEXT NOT NULL,
    PRIMARY KEY (center, id_number, item)
);
