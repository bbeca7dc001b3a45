-- Issue 8: the administrator split in three (三权分立), staff second factors (TOTP), and
-- failed sign-ins counted per account and source, so that guessing from one place cannot
-- lock the account's owner out everywhere.
UPDATE users SET role = 'sysadmin' WHERE role = 'admin';
-- A session of the old role would carry rights that no longer exist.
DELETE FROM sessions WHERE role = 'admin';

ALTER TABLE users DROP COLUMN failed_logins;
ALTER TABLE users DROP COLUMN locked_until;
-- The TOTP secret (base32), NULL until one is issued.
ALTER TABLE users ADD COLUMN totp_secret TEXT;
-- The last time step a code was accepted for: a code is good once.
ALTER TABLE users ADD COLUMN totp_last_step BIGINT;

CREATE TABLE sign_in_failures (
    username     TEXT    NOT NULL,
    source       TEXT    NOT NULL,
    failures     INTEGER NOT NULL,
    locked_until TIMESTAMPTZ,
    PRIMARY KEY (username, source)
);
