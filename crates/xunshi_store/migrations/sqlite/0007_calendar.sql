-- Working days: the State Council's holiday arrangement per year (holidays and adjusted
-- workdays). A year is known only once its arrangement is entered; the shipped years are loaded
-- when this migration runs.

CREATE TABLE calendar_years (
    year      SMALLINT PRIMARY KEY,
    source    TEXT NOT NULL,
    added_at  TEXT NOT NULL
);

CREATE TABLE calendar_days (
    day       TEXT PRIMARY KEY,
    year      SMALLINT NOT NULL REFERENCES calendar_years (year),
    kind      TEXT NOT NULL,
    festival  TEXT NOT NULL
);
CREATE INDEX calendar_days_year ON calendar_days (year);
