-- Planning: terms (届), annual plans, rounds (轮次), inspections and the units they target.

CREATE TABLE terms (
    id             TEXT COLLATE "C" PRIMARY KEY,
    name           TEXT NOT NULL,
    dispatcher_id  TEXT COLLATE "C" NOT NULL REFERENCES units (id),
    starts_on      TEXT NOT NULL,
    ends_on        TEXT,
    version        BIGINT NOT NULL
);

CREATE TABLE annual_plans (
    id       TEXT COLLATE "C" PRIMARY KEY,
    term_id  TEXT COLLATE "C" NOT NULL REFERENCES terms (id),
    year     SMALLINT NOT NULL,
    title    TEXT NOT NULL,
    notes    TEXT NOT NULL,
    version  BIGINT NOT NULL
);
CREATE INDEX annual_plans_term ON annual_plans (term_id, year);

CREATE TABLE rounds (
    id       TEXT COLLATE "C" PRIMARY KEY,
    plan_id  TEXT COLLATE "C" NOT NULL REFERENCES annual_plans (id),
    term_id  TEXT COLLATE "C" NOT NULL REFERENCES terms (id),
    year     SMALLINT NOT NULL,
    number   SMALLINT NOT NULL,
    name     TEXT NOT NULL,
    version  BIGINT NOT NULL,
    UNIQUE (term_id, number)
);

CREATE TABLE inspections (
    id                     TEXT COLLATE "C" PRIMARY KEY,
    round_id               TEXT COLLATE "C" NOT NULL REFERENCES rounds (id),
    dispatcher_id          TEXT COLLATE "C" NOT NULL REFERENCES units (id),
    team_name              TEXT NOT NULL,
    kind                   TEXT NOT NULL,
    elevated               SMALLINT NOT NULL,
    cross_locality         SMALLINT NOT NULL,
    linked                 SMALLINT NOT NULL,
    look_back_of           TEXT COLLATE "C" REFERENCES inspections (id),
    stage                  TEXT NOT NULL,
    planned_entry          TEXT,
    planned_exit           TEXT,
    entry_on               TEXT,
    exit_on                TEXT,
    reported_to_group      TEXT,
    reported_to_committee  TEXT,
    feedback_on            TEXT,
    version                BIGINT NOT NULL,
    created_at             TEXT COLLATE "C" NOT NULL,
    updated_at             TEXT COLLATE "C" NOT NULL
);
CREATE INDEX inspections_round ON inspections (round_id);
CREATE INDEX inspections_stage ON inspections (stage);

-- One team may inspect two or three units in a round ("一托二/三"); position keeps their order.
CREATE TABLE inspection_targets (
    inspection_id  TEXT COLLATE "C" NOT NULL REFERENCES inspections (id),
    unit_id        TEXT COLLATE "C" NOT NULL REFERENCES units (id),
    position       SMALLINT NOT NULL,
    PRIMARY KEY (inspection_id, unit_id)
);
CREATE INDEX inspection_targets_unit ON inspection_targets (unit_id);
