-- Retention erases personal data that is past it (haoban_store::access::Purged): the
-- sealed values of record entries outside a case, and the pre-review a ticket carried.
-- Each index holds only the rows that still have something to erase, so the daily run
-- reads what it erases and no more, however long the history.
CREATE INDEX events_sealed_by_time ON events (at) WHERE personal LIKE 'v1:%';
CREATE INDEX tickets_carrying_by_day ON tickets (day) WHERE state LIKE '%"carried":{%';
