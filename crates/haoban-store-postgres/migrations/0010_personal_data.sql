-- Personal data at rest (docs/personal-data.md). ID numbers and phone numbers are never
-- stored in clear from here on:
-- * lookup columns hold the value's pseudonym, a keyed hash (HMAC-SHA256 under the
--   lookup key): cases.applicant, visitors.id_number, appointments.visitor,
--   login_codes.id_number, offers.id_number, parcels.id_number;
-- * JSON columns (cases.state, tickets.state, visitors.state, appointments.state,
--   parcels.state, ...) and a resident session's subject hold the value sealed in place;
-- * the process record's payload holds pseudonyms (the chain hashes them), and the
--   values of an entry are sealed together in `personal`, outside what the chain covers,
--   so re-sealing under a new key or erasing them leaves the chain intact.
ALTER TABLE events ADD COLUMN personal TEXT;

-- The keyed hash of a fixed text under this database's lookup key: a store opened with
-- another key file is refused instead of reading nothing or garbage.
CREATE TABLE data_key_check (
    id           INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    lookup_check TEXT    NOT NULL
);
