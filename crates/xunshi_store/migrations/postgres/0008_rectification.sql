-- Rectification (整改): each inspected unit's plan with its leading group and reviews, the
-- ledger's tasks (one or more per fed-back problem), progress reports, evidence files,
-- verifications (销号 or rejection) and change requests. Nothing is deleted: tasks and files
-- are withdrawn with a reason, decisions are appended.

CREATE TABLE rectification_plans (
    id             TEXT COLLATE "C" PRIMARY KEY,
    inspection_id  TEXT COLLATE "C" NOT NULL REFERENCES inspections (id),
    unit_id        TEXT COLLATE "C" NOT NULL REFERENCES units (id),
    title          TEXT NOT NULL,
    organisation   TEXT NOT NULL,
    -- JSON array of {name, post, role}.
    leading_group  TEXT NOT NULL,
    status         TEXT NOT NULL,
    submitted_at   TEXT COLLATE "C",
    approved_at    TEXT COLLATE "C",
    version        BIGINT NOT NULL,
    UNIQUE (inspection_id, unit_id)
);
CREATE INDEX rectification_plans_unit ON rectification_plans (unit_id);

CREATE TABLE plan_reviews (
    id        TEXT COLLATE "C" PRIMARY KEY,
    plan_id   TEXT COLLATE "C" NOT NULL REFERENCES rectification_plans (id),
    approved  SMALLINT NOT NULL,
    comment   TEXT NOT NULL,
    by_name   TEXT NOT NULL,
    at        TEXT COLLATE "C" NOT NULL
);
CREATE INDEX plan_reviews_plan ON plan_reviews (plan_id);

CREATE TABLE rectification_tasks (
    id                  TEXT COLLATE "C" PRIMARY KEY,
    plan_id             TEXT COLLATE "C" NOT NULL REFERENCES rectification_plans (id),
    inspection_id       TEXT COLLATE "C" NOT NULL REFERENCES inspections (id),
    unit_id             TEXT COLLATE "C" NOT NULL REFERENCES units (id),
    problem_id          TEXT COLLATE "C" NOT NULL REFERENCES problems (id),
    seq                 TEXT COLLATE "C" NOT NULL,
    measure             TEXT NOT NULL,
    target              TEXT NOT NULL,
    standard            TEXT NOT NULL,
    responsible_leader  TEXT NOT NULL,
    lead_department     TEXT NOT NULL,
    co_departments      TEXT NOT NULL,
    responsible_person  TEXT NOT NULL,
    -- immediate, by or long_term; the date is null for long_term.
    due_kind            TEXT NOT NULL,
    due_date            TEXT COLLATE "C",
    status              TEXT NOT NULL,
    progress            INTEGER NOT NULL,
    not_for_disclosure  SMALLINT NOT NULL,
    withdrawn_reason    TEXT,
    version             BIGINT NOT NULL,
    updated_at          TEXT COLLATE "C" NOT NULL,
    UNIQUE (plan_id, seq)
);
CREATE INDEX rectification_tasks_inspection ON rectification_tasks (inspection_id);
CREATE INDEX rectification_tasks_unit ON rectification_tasks (unit_id);
CREATE INDEX rectification_tasks_problem ON rectification_tasks (problem_id);
CREATE INDEX rectification_tasks_due ON rectification_tasks (due_date);

CREATE TABLE task_progress (
    id           TEXT COLLATE "C" PRIMARY KEY,
    task_id      TEXT COLLATE "C" NOT NULL REFERENCES rectification_tasks (id),
    body         TEXT NOT NULL,
    progress     INTEGER NOT NULL,
    claims_done  SMALLINT NOT NULL,
    by_name      TEXT NOT NULL,
    at           TEXT COLLATE "C" NOT NULL
);
CREATE INDEX task_progress_task ON task_progress (task_id);

CREATE TABLE task_evidence (
    id                 TEXT COLLATE "C" PRIMARY KEY,
    task_id            TEXT COLLATE "C" NOT NULL REFERENCES rectification_tasks (id),
    filename           TEXT NOT NULL,
    size               BIGINT NOT NULL,
    content_type       TEXT NOT NULL,
    kind               TEXT NOT NULL,
    sha256             TEXT COLLATE "C" NOT NULL,
    uploaded_by        TEXT COLLATE "C" REFERENCES users (id),
    uploaded_by_name   TEXT NOT NULL,
    uploaded_at        TEXT COLLATE "C" NOT NULL,
    withdrawn_by       TEXT COLLATE "C" REFERENCES users (id),
    withdrawn_by_name  TEXT,
    withdrawn_at       TEXT COLLATE "C",
    withdrawn_reason   TEXT
);
CREATE INDEX task_evidence_task ON task_evidence (task_id);
CREATE INDEX task_evidence_sha256 ON task_evidence (sha256);

CREATE TABLE task_verifications (
    id       TEXT COLLATE "C" PRIMARY KEY,
    task_id  TEXT COLLATE "C" NOT NULL REFERENCES rectification_tasks (id),
    closed   SMALLINT NOT NULL,
    defect   TEXT,
    reason   TEXT NOT NULL,
    by_name  TEXT NOT NULL,
    at       TEXT COLLATE "C" NOT NULL
);
CREATE INDEX task_verifications_task ON task_verifications (task_id);

CREATE TABLE task_change_requests (
    id                TEXT COLLATE "C" PRIMARY KEY,
    task_id           TEXT COLLATE "C" NOT NULL REFERENCES rectification_tasks (id),
    before_measure    TEXT NOT NULL,
    after_measure     TEXT NOT NULL,
    before_due_kind   TEXT NOT NULL,
    before_due_date   TEXT,
    after_due_kind    TEXT NOT NULL,
    after_due_date    TEXT,
    reason            TEXT NOT NULL,
    -- null while pending, then 1 (approved) or 0 (refused).
    approved          SMALLINT,
    decision_comment  TEXT NOT NULL,
    requested_by      TEXT NOT NULL,
    requested_at      TEXT COLLATE "C" NOT NULL,
    decided_by        TEXT,
    decided_at        TEXT COLLATE "C"
);
CREATE INDEX task_change_requests_task ON task_change_requests (task_id);

