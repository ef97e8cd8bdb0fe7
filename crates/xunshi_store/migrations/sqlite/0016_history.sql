-- History kept: child rows are withdrawn or replaced, never deleted and re-inserted.

-- An inspector's past posts and declared relatives. A declaration taken back keeps its row,
-- with the time it was taken back (the inspector's `updated_at` of that change; who made it
-- is in the audit record of the same change); null while it stands. The pool's pages and the
-- recusal screening read only the rows not withdrawn.
ALTER TABLE inspector_posts ADD COLUMN withdrawn_at TEXT;
ALTER TABLE inspector_relatives ADD COLUMN withdrawn_at TEXT;

-- A year's holiday arrangement entered again keeps the earlier entry. Each entry of a year is
-- a revision (1, 2, …): the current one has no `replaced_at`, an earlier one the time it was
-- replaced. A day row belongs to one revision, and a replaced revision's days get the same
-- time as `withdrawn_at`, so the working-day arithmetic reads the current days through a
-- partial index without joining the years. SQLite cannot change a primary key in place: both
-- tables are rebuilt, and the rows they held become revision 1.
CREATE TABLE calendar_years_new (
    year         SMALLINT NOT NULL,
    revision     SMALLINT NOT NULL,
    source       TEXT NOT NULL,
    added_at     TEXT NOT NULL,
    replaced_at  TEXT,
    PRIMARY KEY (year, revision)
);
INSERT INTO calendar_years_new (year, revision, source, added_at)
    SELECT year, 1, source, added_at FROM calendar_years;

CREATE TABLE calendar_days_new (
    day           TEXT NOT NULL,
    year          SMALLINT NOT NULL,
    revision      SMALLINT NOT NULL,
    kind          TEXT NOT NULL,
    festival      TEXT NOT NULL,
    withdrawn_at  TEXT,
    PRIMARY KEY (day, revision),
    FOREIGN KEY (year, revision) REFERENCES calendar_years_new (year, revision)
);
INSERT INTO calendar_days_new (day, year, revision, kind, festival)
    SELECT day, year, 1, kind, festival FROM calendar_days;

DROP TABLE calendar_days;
DROP TABLE calendar_years;
-- Renaming the years also renames the days' reference to them.
ALTER TABLE calendar_years_new RENAME TO calendar_years;
ALTER TABLE calendar_days_new RENAME TO calendar_days;

-- One current entry per year and one current row per day; the current reads go through these.
CREATE UNIQUE INDEX calendar_years_current ON calendar_years (year) WHERE replaced_at IS NULL;
CREATE UNIQUE INDEX calendar_days_current ON calendar_days (day) WHERE withdrawn_at IS NULL;
-- The days of one entry, current or earlier.
CREATE INDEX calendar_days_year ON calendar_days (year, revision);
