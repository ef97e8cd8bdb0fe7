-- The dashboard of the whole province at a million tasks, in a few index reads.

-- The running clocks carry the level of the inspection's dispatcher, which decides their due
-- date: the clocks are counted per feedback date and level from the index alone, instead of
-- joining every running clock to its inspection and dispatcher. The store writes the level
-- with the row (tx/clocks.rs) and again when a dispatcher's level changes.
ALTER TABLE running_clocks ADD COLUMN dispatcher_level TEXT NOT NULL DEFAULT '';
UPDATE running_clocks
   SET dispatcher_level = (SELECT u.level FROM inspections i JOIN units u ON u.id = i.dispatcher_id
                            WHERE i.id = running_clocks.inspection_id);
DROP INDEX running_clocks_due;
CREATE INDEX running_clocks_due ON running_clocks (clock, feedback_on, dispatcher_level);

-- The fourth grain of the tallies (migration 0011): one row per unit with the figures the
-- dashboard ranks the units by, kept by the store with the other three, so that the units
-- with the most overdue tasks are the first rows of an index rather than a sort of every
-- unit's sums.
CREATE TABLE task_tally_unit_figures (
    unit_id      TEXT COLLATE "C" PRIMARY KEY,
    total        BIGINT NOT NULL,
    closed       BIGINT NOT NULL,
    overdue      BIGINT NOT NULL,
    near_due     BIGINT NOT NULL,
    closed_late  BIGINT NOT NULL
);
CREATE INDEX task_tally_unit_figures_rank
    ON task_tally_unit_figures (overdue DESC, near_due DESC, total DESC, unit_id);
INSERT INTO task_tally_unit_figures (unit_id, total, closed, overdue, near_due, closed_late)
SELECT unit_id, SUM(n),
       SUM(CASE WHEN status = 'closed' THEN n ELSE 0 END),
       SUM(CASE WHEN colour = 'red' THEN n ELSE 0 END),
       SUM(CASE WHEN colour = 'yellow' THEN n ELSE 0 END),
       SUM(CASE WHEN colour = 'closed_late' THEN n ELSE 0 END)
  FROM task_tally_unit GROUP BY unit_id;

-- The open dated tasks in the ledger's order (by id) with their deadlines: a page of the
-- overdue, about a third of the open tasks, is the first matching entries of this index; by
-- the deadline index it was every overdue task sorted by id.
CREATE INDEX rectification_tasks_open_id_due ON rectification_tasks (id, due_date)
    WHERE status <> 'closed' AND withdrawn_reason IS NULL AND due_date IS NOT NULL;

-- The dashboard counts the province's follow-up notices by kind and answer, and its
-- accountability records by form: from these indexes alone, not from the notices' texts. A
-- notice is answered when it has the day of its answer (the answer and its day are written
-- together).
CREATE INDEX followups_kind_answered ON followups (kind, answered_on);
CREATE INDEX accountability_form ON accountability (form);
