-- 报备: a lower committee's office files its plans, rounds and approved reports with the office
-- of the committee above it, which acknowledges them or answers with comments. The text is kept
-- as filed, with its digest; the subject is a plan, a round or a report (by `kind`).
CREATE TABLE filings (
    id               TEXT PRIMARY KEY,
    committee_id     TEXT NOT NULL REFERENCES units (id),
    upper_id         TEXT NOT NULL REFERENCES units (id),
    kind             TEXT NOT NULL,
    subject_id       TEXT NOT NULL,
    title            TEXT NOT NULL,
    content          TEXT NOT NULL,
    digest           TEXT NOT NULL,
    filed_by         TEXT REFERENCES users (id),
    filed_by_name    TEXT NOT NULL,
    filed_at         TEXT NOT NULL,
    status           TEXT NOT NULL,
    reply            TEXT NOT NULL,
    replied_by       TEXT REFERENCES users (id),
    replied_by_name  TEXT,
    replied_at       TEXT,
    version          INTEGER NOT NULL
);
-- The lists newest first: a committee's own filings and those filed with it.
CREATE INDEX filings_committee ON filings (committee_id, id);
CREATE INDEX filings_upper ON filings (upper_id, id);
CREATE INDEX filings_subject ON filings (subject_id);
