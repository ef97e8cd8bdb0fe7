-- Recurring problems (举一反三), worked out by the `patterns` job from the problems and tasks
-- and kept, never recomputed per request: derived data like the tallies, replaced whole on
-- each run, so no audit record is written for them.
--
-- A round's clusters of alike problems across its units: one row per cluster of two problems
-- or more, numbered in the report's order (most units first), led by the problem the others
-- were measured against.
CREATE TABLE problem_clusters (
    id               TEXT COLLATE "C" PRIMARY KEY,
    round_id         TEXT COLLATE "C" NOT NULL REFERENCES rounds (id) DEFERRABLE INITIALLY IMMEDIATE,
    seq              INTEGER NOT NULL,
    lead_problem_id  TEXT COLLATE "C" NOT NULL REFERENCES problems (id) DEFERRABLE INITIALLY IMMEDIATE,
    title            TEXT COLLATE "C" NOT NULL,
    category_id      TEXT COLLATE "C" NOT NULL REFERENCES problem_categories (id) DEFERRABLE INITIALLY IMMEDIATE,
    problems         INTEGER NOT NULL,
    units            INTEGER NOT NULL,
    computed_at      TEXT COLLATE "C" NOT NULL,
    UNIQUE (round_id, seq)
);

-- A cluster's problems, each with how alike it is to the lead problem, in per cent.
CREATE TABLE problem_cluster_members (
    cluster_id   TEXT COLLATE "C" NOT NULL REFERENCES problem_clusters (id) DEFERRABLE INITIALLY IMMEDIATE,
    problem_id   TEXT COLLATE "C" NOT NULL REFERENCES problems (id) DEFERRABLE INITIALLY IMMEDIATE,
    similarity   SMALLINT NOT NULL,
    PRIMARY KEY (cluster_id, problem_id)
);
CREATE INDEX problem_cluster_members_problem ON problem_cluster_members (problem_id);

-- 整改不到位: a unit's problem found again by a later inspection after the task rectifying the
-- earlier problem was closed (销号). The later problem's inspection and unit are kept for the
-- dashboard's filters.
CREATE TABLE problem_recurrences (
    problem_id          TEXT COLLATE "C" NOT NULL REFERENCES problems (id) DEFERRABLE INITIALLY IMMEDIATE,
    earlier_problem_id  TEXT COLLATE "C" NOT NULL REFERENCES problems (id) DEFERRABLE INITIALLY IMMEDIATE,
    earlier_task_id     TEXT COLLATE "C" NOT NULL REFERENCES rectification_tasks (id) DEFERRABLE INITIALLY IMMEDIATE,
    closed_on           TEXT COLLATE "C" NOT NULL,
    unit_id             TEXT COLLATE "C" NOT NULL REFERENCES units (id) DEFERRABLE INITIALLY IMMEDIATE,
    inspection_id       TEXT COLLATE "C" NOT NULL REFERENCES inspections (id) DEFERRABLE INITIALLY IMMEDIATE,
    similarity          SMALLINT NOT NULL,
    computed_at         TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (problem_id, earlier_problem_id)
);
CREATE INDEX problem_recurrences_unit ON problem_recurrences (unit_id, problem_id);
CREATE INDEX problem_recurrences_inspection ON problem_recurrences (inspection_id, problem_id);
CREATE INDEX problem_recurrences_earlier ON problem_recurrences (earlier_problem_id);

-- The units' problems by unit, for the recurrences worked out unit by unit.
CREATE INDEX problems_unit ON problems (target_unit_id, inspection_id, status);

-- Look-back (回头看): a task of an earlier inspection that a unit's new plan carries over
-- (一并抓好落实). Linked, not copied: the task stays in its own plan and ledger, where it is
-- counted once; both plans show its one state.
CREATE TABLE carried_tasks (
    plan_id          TEXT COLLATE "C" NOT NULL REFERENCES rectification_plans (id) DEFERRABLE INITIALLY IMMEDIATE,
    task_id          TEXT COLLATE "C" NOT NULL REFERENCES rectification_tasks (id) DEFERRABLE INITIALLY IMMEDIATE,
    carried_by       TEXT COLLATE "C" REFERENCES users (id) DEFERRABLE INITIALLY IMMEDIATE,
    carried_by_name  TEXT COLLATE "C" NOT NULL,
    carried_at       TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (plan_id, task_id)
);
CREATE INDEX carried_tasks_task ON carried_tasks (task_id);

-- The units' numbers the patterns job counts for the office's trends: each unit's problems
-- found (approved or signed), those found again after closing, and its tasks rejected at least
-- once (reopened), as of the run.
CREATE TABLE unit_pattern_counts (
    unit_id      TEXT COLLATE "C" PRIMARY KEY REFERENCES units (id) DEFERRABLE INITIALLY IMMEDIATE,
    problems     INTEGER NOT NULL,
    recurring    INTEGER NOT NULL,
    reopened     INTEGER NOT NULL,
    computed_at  TEXT COLLATE "C" NOT NULL
);

-- What the dashboard and the trends read of the patterns job's results, counted by the job so
-- that no request counts the pairs themselves: the problems found again by inspection and
-- unit (a problem is of one of each, so the rows add up), and each round's problems found
-- by heading.
CREATE TABLE recurrence_counts (
    inspection_id  TEXT COLLATE "C" NOT NULL REFERENCES inspections (id) DEFERRABLE INITIALLY IMMEDIATE,
    unit_id        TEXT COLLATE "C" NOT NULL REFERENCES units (id) DEFERRABLE INITIALLY IMMEDIATE,
    problems       INTEGER NOT NULL,
    PRIMARY KEY (inspection_id, unit_id)
);
CREATE INDEX recurrence_counts_unit ON recurrence_counts (unit_id);
CREATE TABLE round_category_counts (
    round_id     TEXT COLLATE "C" NOT NULL REFERENCES rounds (id) DEFERRABLE INITIALLY IMMEDIATE,
    category_id  TEXT COLLATE "C" NOT NULL REFERENCES problem_categories (id) DEFERRABLE INITIALLY IMMEDIATE,
    problems     INTEGER NOT NULL,
    PRIMARY KEY (round_id, category_id)
);
