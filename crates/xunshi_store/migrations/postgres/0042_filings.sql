-- 报备: a lower committee's office files its plans, rounds and approved reports with the office
-- of the committee above it, which acknowledges them or answers with comments. The text is kept
-- as filed, with its digest; the subject is a plan, a round or a report (by `kind`).
CREATE TABLE filings (
    id               TEXT COLLATE "C" PRIMARY KEY,
    committee_id     TEXT COLLATE "C" NOT NULL REFERENCES units (id) DEFERRABLE INITIALLY IMMEDIATE,
    upper_id         TEXT COLLATE "C" NOT NULL REFERENCES units (id) DEFERRABLE INITIALLY IMMEDIATE,
    kind             TEXT COLLATE "C" NOT NULL,
    subject_id       TEXT COLLATE "C" NOT NULL,
    title            TEXT COLLATE "C" NOT NULL,
    content          TEXT COLLATE "C" NOT NULL,
    digest           TEXT COLLATE "C" NOT NULL,
    filed_by         TEXT COLLATE "C" REFERENCES users (id) DEFERRABLE INITIALLY IMMEDIATE,
    filed_by_name    TEXT COLLATE "C" NOT NULL,
    filed_at         TEXT COLLATE "C" NOT NULL,
    status           TEXT COLLATE "C" NOT NULL,
    reply            TEXT COLLATE "C" NOT NULL,
    replied_by       TEXT COLLATE "C" REFERENCES users (id) DEFERRABLE INITIALLY IMMEDIATE,
    replied_by_name  TEXT COLLATE "C",
    replied_at       TEXT COLLATE "C",
    version          BIGINT NOT NULL
);
-- The lists newest first: a committee's own filings and those filed with it.
CREATE INDEX filings_committee ON filings (committee_id, id);
CREATE INDEX filings_upper ON filings (upper_id, id);
CREATE INDEX filings_subject ON filings (subject_id);
