-- The open tasks in creation order with their deadlines: the ledger's red and yellow lists page
-- by id through this index, reading the deadline from it, instead of walking every task.
CREATE INDEX rectification_tasks_open_by_id ON rectification_tasks (id, due_date)
    WHERE status <> 'closed' AND withdrawn_reason IS NULL;
