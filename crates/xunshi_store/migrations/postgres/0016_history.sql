-- History kept: child rows are withdrawn or replaced, never deleted and re-inserted.

-- An inspector's past posts and declared relatives. A declaration taken back keeps its row,
-- with the time it was taken back (the inspector's `updated_at` of that change; who made it
-- is in the audit record of the same change); null while it stands. The pool's pages and the
-- recusal screening read only the rows not withdrawn.
ALTER TABLE inspector_posts ADD COLUMN withdrawn_at TEXT COLLATE "C";
ALTER TABLE inspector_relatives ADD COLUMN withdrawn_at TEXT COLLATE "C";

-- A year's holiday arrangement entered again keeps the earlier entry. Each entry of a year is
-- a revision (1, 2, …): the current one has no `replaced_at`, an earlier one the time it was
-- replaced. A day row belongs to one revision, and a replaced revision's days get the same
-- time as `withdrawn_at`, so the working-day arithmetic reads the current days through a
-- partial index without joining the years. The keys change in place (SQLite rebuilds the
-- tables instead); the rows they held become revision 1.
ALTER TABLE calendar_days DROP CONSTRAINT calendar_days_year_fkey;
ALTER TABLE calendar_days DROP CONSTRAINT calendar_days_pkey;
ALTER TABLE calendar_years DROP CONSTRAINT calendar_years_pkey;

ALTER TABLE calendar_years ADD COLUMN revision SMALLINT NOT NULL DEFAULT 1;
ALTER TABLE calendar_years ALTER COLUMN revision DROP DEFAULT;
ALTER TABLE calendar_years ADD COLUMN replaced_at TEXT COLLATE "C";
ALTER TABLE calendar_years ADD PRIMARY KEY (year, revision);

ALTER TABLE calendar_days ADD COLUMN revision SMALLINT NOT NULL DEFAULT 1;
ALTER TABLE calendar_days ALTER COLUMN revision DROP DEFAULT;
ALTER TABLE calendar_days ADD COLUMN withdrawn_at TEXT COLLATE "C";
ALTER TABLE calendar_days ADD PRIMARY KEY (day, revision);
ALTER TABLE calendar_days ADD FOREIGN KEY (year, revision)
    REFERENCES calendar_years (year, revision);

-- One current entry per year and one current row per day; the current reads go through these.
CREATE UNIQUE INDEX calendar_years_current ON calendar_years (year) WHERE replaced_at IS NULL;
CREATE UNIQUE INDEX calendar_days_current ON calendar_days (day) WHERE withdrawn_at IS NULL;
-- The days of one entry, current or earlier.
DROP INDEX calendar_days_year;
CREATE INDEX calendar_days_year ON calendar_days (year, revision);
