-- The second factor of log-in (RFC 6238): one row per person who set it up. The secret is
-- sealed by the key file like the other confidential fields; recovery holds the SHA-256 of each
-- recovery code not used yet, as a JSON array. (Its key is deferrable, as every key is since
-- 0031, so that a restore may load the tables in any order.)
CREATE TABLE two_factor (
    user_id       TEXT COLLATE "C" NOT NULL PRIMARY KEY
                  REFERENCES users (id) DEFERRABLE INITIALLY IMMEDIATE,
    secret        TEXT NOT NULL,
    confirmed_at  TEXT,
    last_step     BIGINT NOT NULL DEFAULT 0,
    recovery      TEXT NOT NULL DEFAULT '[]',
    created_at    TEXT NOT NULL
);

-- One row: whether administrators and the office must log in with the second factor.
CREATE TABLE security_settings (
    id                   SMALLINT PRIMARY KEY,
    two_factor_required  SMALLINT NOT NULL DEFAULT 0
);
INSERT INTO security_settings (id, two_factor_required) VALUES (1, 0);

-- A session opened while the office requires the second factor of someone who has not set it
-- up yet: it may open nothing but the page that sets it up, until that is done.
ALTER TABLE sessions ADD COLUMN two_factor_pending SMALLINT NOT NULL DEFAULT 0;
