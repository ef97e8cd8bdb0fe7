-- Deadlines counted past the entered holiday arrangements are provisional (暂定), counted by
-- weekends alone. When the office enters a year, every running clock whose deadline that
-- changes is counted again in the same transaction, and the change is kept here (and in the
-- audit trail, before and after) so the unit learns of it: it waits on the 工作台 of the unit's
-- principal and liaison until one of them takes note of it.
CREATE TABLE deadline_changes (
    id               TEXT COLLATE "C" PRIMARY KEY,
    inspection_id    TEXT COLLATE "C" NOT NULL REFERENCES inspections (id),
    unit_id          TEXT COLLATE "C" NOT NULL REFERENCES units (id),
    clock            TEXT NOT NULL,
    feedback_on      TEXT NOT NULL,
    -- The year whose arrangement was entered.
    year             SMALLINT NOT NULL,
    before_due       TEXT NOT NULL,
    -- Why the date was (is) provisional; NULL when it stood (stands).
    before_note      TEXT,
    after_due        TEXT NOT NULL,
    after_note       TEXT,
    -- What moved, as the to-do shows it.
    summary          TEXT NOT NULL,
    changed_at       TEXT COLLATE "C" NOT NULL,
    acknowledged_at  TEXT COLLATE "C",
    acknowledged_by  TEXT COLLATE "C" REFERENCES users (id)
);
-- A unit's changes not yet taken note of, by unit: its people see their number on every page.
CREATE INDEX deadline_changes_open ON deadline_changes (unit_id, id)
    WHERE acknowledged_at IS NULL;
CREATE INDEX deadline_changes_inspection ON deadline_changes (inspection_id, unit_id);
