-- Rules: what the ledger needs to tell the truth about deadlines.

-- The day (Asia/Shanghai) a task was closed (销号), so that a task closed after its deadline
-- stays counted as closed late (逾期完成). Filled from the closing verification.
ALTER TABLE rectification_tasks ADD COLUMN closed_on TEXT;
UPDATE rectification_tasks
   SET closed_on = (SELECT date(MAX(v.at), '+8 hours') FROM task_verifications v
                     WHERE v.task_id = rectification_tasks.id AND v.closed = 1)
 WHERE status = 'closed';
-- The closed-late list pages by id through this index.
CREATE INDEX rectification_tasks_closed_late ON rectification_tasks (id)
    WHERE status = 'closed' AND withdrawn_reason IS NULL AND due_date IS NOT NULL
      AND closed_on > due_date;

-- On a rejection, the share done the verifier found; the task goes back to it.
ALTER TABLE task_verifications ADD COLUMN progress INTEGER;

-- The tallies' colours now tell closed late from closed in time: counted again by the first
-- reader.
DELETE FROM task_tally;
DELETE FROM task_tally_unit;
DELETE FROM task_tally_all;
UPDATE task_tally_state SET as_of = NULL WHERE id = 1;

-- An inspection's targets are withdrawn, never deleted and re-inserted: a unit no longer
-- inspected keeps its row, with the time it was taken off (null while it is a target).
ALTER TABLE inspection_targets ADD COLUMN withdrawn_at TEXT;
