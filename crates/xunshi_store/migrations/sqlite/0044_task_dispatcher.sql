-- The committee that sent each task's inspection, kept on the task (an inspection's committee
-- never changes) so that a ledger narrowed to a committee (分级汇总's links, a committee
-- office's own scope) pages its tasks in order from one index range. Through the inspections
-- it was every task of the committee's inspections gathered and sorted for each page.
-- Filled by the store from the inspection when a task is written.
ALTER TABLE rectification_tasks ADD COLUMN dispatcher_id TEXT NOT NULL DEFAULT '';
UPDATE rectification_tasks
   SET dispatcher_id = (SELECT i.dispatcher_id FROM inspections i
                         WHERE i.id = rectification_tasks.inspection_id);
CREATE INDEX rectification_tasks_dispatcher ON rectification_tasks (dispatcher_id, id);
-- A committee's open dated tasks by id with their deadlines: its overdue page is the first
-- matching entries, as the whole ledger's is of rectification_tasks_open_id_due.
CREATE INDEX rectification_tasks_dispatcher_open ON rectification_tasks (dispatcher_id, id, due_date)
    WHERE status <> 'closed' AND withdrawn_reason IS NULL AND due_date IS NOT NULL;

-- The tasks' tally by sending committee and heading (a fourth grain beside those of 0011), kept
-- with the others on every move of a task: a committee's ledger and its office's figures add
-- up its few rows rather than every row of task_tally under its inspections.
CREATE TABLE task_tally_committee (
    dispatcher_id  TEXT NOT NULL,
    category_id    TEXT NOT NULL,
    status         TEXT NOT NULL,
    colour         TEXT NOT NULL,
    rejected       SMALLINT NOT NULL,
    n              BIGINT NOT NULL,
    PRIMARY KEY (dispatcher_id, category_id, status, colour, rejected)
);
INSERT INTO task_tally_committee (dispatcher_id, category_id, status, colour, rejected, n)
SELECT i.dispatcher_id, t.category_id, t.status, t.colour, t.rejected, SUM(t.n)
  FROM task_tally t JOIN inspections i ON i.id = t.inspection_id
 GROUP BY i.dispatcher_id, t.category_id, t.status, t.colour, t.rejected;
