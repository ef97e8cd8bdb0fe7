-- Supervision of rectification (督查): the deadline rules the office keeps (the shipped
-- defaults are loaded when this migration runs), the warning period, follow-up notices (督办),
-- accountability (追责问责) and long-term mechanisms (当下改、长久立).

-- One row per level and clock: how long the clock runs from the feedback date.
CREATE TABLE deadline_rules (
    id          TEXT COLLATE "C" PRIMARY KEY,
    level       TEXT NOT NULL,
    clock       TEXT NOT NULL,
    amount      BIGINT NOT NULL,
    counting    TEXT NOT NULL,
    basis       TEXT NOT NULL,
    version     BIGINT NOT NULL,
    updated_at  TEXT COLLATE "C",
    updated_by  TEXT COLLATE "C" REFERENCES users (id),
    UNIQUE (level, clock)
);

-- One row: the warning period of tasks and clocks.
CREATE TABLE rectify_settings (
    id          SMALLINT PRIMARY KEY,
    warn_days   BIGINT NOT NULL,
    version     BIGINT NOT NULL,
    updated_at  TEXT COLLATE "C",
    updated_by  TEXT COLLATE "C" REFERENCES users (id)
);
INSERT INTO rectify_settings (id, warn_days, version) VALUES (1, 7, 1);

CREATE TABLE followups (
    id              TEXT COLLATE "C" PRIMARY KEY,
    inspection_id   TEXT COLLATE "C" NOT NULL REFERENCES inspections (id),
    unit_id         TEXT COLLATE "C" NOT NULL REFERENCES units (id),
    task_id         TEXT COLLATE "C" REFERENCES rectification_tasks (id),
    kind            TEXT NOT NULL,
    doc_no          TEXT NOT NULL,
    content         TEXT NOT NULL,
    issued_on       TEXT NOT NULL,
    answer_due      TEXT,
    -- Names as signed, and the accounts behind them.
    issued_by       TEXT NOT NULL,
    issued_by_id    TEXT COLLATE "C" REFERENCES users (id),
    answer          TEXT,
    answered_on     TEXT,
    answered_by     TEXT,
    answered_by_id  TEXT COLLATE "C" REFERENCES users (id),
    version         BIGINT NOT NULL
);
CREATE INDEX followups_inspection_unit ON followups (inspection_id, unit_id);
CREATE INDEX followups_task ON followups (task_id);

CREATE TABLE accountability (
    id              TEXT COLLATE "C" PRIMARY KEY,
    inspection_id   TEXT COLLATE "C" NOT NULL REFERENCES inspections (id),
    unit_id         TEXT COLLATE "C" NOT NULL REFERENCES units (id),
    task_id         TEXT COLLATE "C" REFERENCES rectification_tasks (id),
    problem_id      TEXT COLLATE "C" REFERENCES problems (id),
    person          TEXT NOT NULL,
    post            TEXT NOT NULL,
    form            TEXT NOT NULL,
    -- "list：measure", one of the sanction and handling lists.
    measure         TEXT NOT NULL,
    deciding_body   TEXT NOT NULL,
    decided_on      TEXT NOT NULL,
    recorded_by     TEXT COLLATE "C" REFERENCES users (id),
    recorded_at     TEXT COLLATE "C" NOT NULL,
    version         BIGINT NOT NULL
);
CREATE INDEX accountability_inspection_unit ON accountability (inspection_id, unit_id);

CREATE TABLE mechanisms (
    id              TEXT COLLATE "C" PRIMARY KEY,
    inspection_id   TEXT COLLATE "C" NOT NULL REFERENCES inspections (id),
    unit_id         TEXT COLLATE "C" NOT NULL REFERENCES units (id),
    title           TEXT NOT NULL,
    is_new          SMALLINT NOT NULL,
    doc_no          TEXT NOT NULL,
    issued_on       TEXT NOT NULL,
    recorded_by     TEXT COLLATE "C" REFERENCES users (id),
    recorded_at     TEXT COLLATE "C" NOT NULL,
    version         BIGINT NOT NULL
);
CREATE INDEX mechanisms_inspection_unit ON mechanisms (inspection_id, unit_id);

-- The tasks a mechanism came from, in the order given.
CREATE TABLE mechanism_tasks (
    mechanism_id    TEXT COLLATE "C" NOT NULL REFERENCES mechanisms (id),
    task_id         TEXT COLLATE "C" NOT NULL REFERENCES rectification_tasks (id),
    position        SMALLINT NOT NULL,
    PRIMARY KEY (mechanism_id, task_id)
);
CREATE INDEX mechanism_tasks_task ON mechanism_tasks (task_id);
