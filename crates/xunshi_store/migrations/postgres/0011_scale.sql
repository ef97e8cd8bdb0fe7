-- Scale: what the ledger, the dashboards and the audit trail need to answer at a province's
-- volume (a million tasks) from indexes, without reading whole tables.

-- The heading of each task's problem, kept on the task so that lists filter and count by it
-- through an index. A problem's heading is fixed once it has been fed back, and tasks exist
-- only after feedback. Filled by the store from the problem when a task is written.
ALTER TABLE rectification_tasks ADD COLUMN category_id TEXT COLLATE "C" NOT NULL DEFAULT '';
UPDATE rectification_tasks
   SET category_id = (SELECT p.category_id FROM problems p WHERE p.id = rectification_tasks.problem_id);

-- How many times the task's claim was rejected; kept by the store with each verification.
ALTER TABLE rectification_tasks ADD COLUMN rejections INTEGER NOT NULL DEFAULT 0;
UPDATE rectification_tasks
   SET rejections = (SELECT COUNT(*) FROM task_verifications v
                      WHERE v.task_id = rectification_tasks.id AND v.closed = 0);

-- Lists page by id (creation order) within each filter.
DROP INDEX rectification_tasks_inspection;
DROP INDEX rectification_tasks_unit;
DROP INDEX rectification_tasks_due;
CREATE INDEX rectification_tasks_inspection ON rectification_tasks (inspection_id, id);
CREATE INDEX rectification_tasks_unit ON rectification_tasks (unit_id, id);
CREATE INDEX rectification_tasks_unit_status ON rectification_tasks (unit_id, status, id);
CREATE INDEX rectification_tasks_status ON rectification_tasks (status, id);
CREATE INDEX rectification_tasks_category ON rectification_tasks (category_id, id);
-- Open dated tasks by deadline: the overdue and near-due lists, the daily shift of colours.
CREATE INDEX rectification_tasks_open_due ON rectification_tasks (due_date)
    WHERE status <> 'closed' AND withdrawn_reason IS NULL AND due_date IS NOT NULL;
CREATE INDEX rectification_tasks_unit_open_due ON rectification_tasks (unit_id, due_date)
    WHERE status <> 'closed' AND withdrawn_reason IS NULL AND due_date IS NOT NULL;
CREATE INDEX rectification_tasks_rejected ON rectification_tasks (id)
    WHERE rejections > 0 AND withdrawn_reason IS NULL;

-- A task's newest progress report.
DROP INDEX task_progress_task;
CREATE INDEX task_progress_task ON task_progress (task_id, id);

-- The counts of the ledger's tasks, kept current by the store with every task written, so
-- that the dashboards and the lists' totals add up a few rows instead of counting a million.
-- Each row counts the live (not withdrawn) tasks with one combination of the dimensions; the
-- colour is the deadline colour as of `task_tally_state.as_of` under its warning period.
-- Three grains: by inspection and unit (scoped views), by unit (the province's units), and
-- by heading (the province's totals).
CREATE TABLE task_tally (
    inspection_id  TEXT COLLATE "C" NOT NULL,
    unit_id        TEXT COLLATE "C" NOT NULL,
    category_id    TEXT COLLATE "C" NOT NULL,
    status         TEXT COLLATE "C" NOT NULL,
    colour         TEXT COLLATE "C" NOT NULL,
    rejected       SMALLINT NOT NULL,
    n              BIGINT NOT NULL,
    PRIMARY KEY (inspection_id, unit_id, category_id, status, colour, rejected)
);
CREATE INDEX task_tally_by_unit ON task_tally (unit_id);

CREATE TABLE task_tally_unit (
    unit_id   TEXT COLLATE "C" NOT NULL,
    status    TEXT COLLATE "C" NOT NULL,
    colour    TEXT COLLATE "C" NOT NULL,
    rejected  SMALLINT NOT NULL,
    n         BIGINT NOT NULL,
    PRIMARY KEY (unit_id, status, colour, rejected)
);

CREATE TABLE task_tally_all (
    category_id  TEXT COLLATE "C" NOT NULL,
    status       TEXT COLLATE "C" NOT NULL,
    colour       TEXT COLLATE "C" NOT NULL,
    rejected     SMALLINT NOT NULL,
    n            BIGINT NOT NULL,
    PRIMARY KEY (category_id, status, colour, rejected)
);

-- The day and warning period the tallies' colours are as of; null until first built.
CREATE TABLE task_tally_state (
    id         SMALLINT PRIMARY KEY,
    as_of      TEXT COLLATE "C",
    warn_days  INTEGER NOT NULL
);
INSERT INTO task_tally_state (id, as_of, warn_days) VALUES (1, NULL, 0);

-- A record of the trail that concerns several objects (a list read shows many clues) names
-- the others here, so that a search by object finds it.
CREATE TABLE audit_objects (
    object_id  TEXT COLLATE "C" NOT NULL,
    seq        BIGINT NOT NULL,
    PRIMARY KEY (object_id, seq)
);
