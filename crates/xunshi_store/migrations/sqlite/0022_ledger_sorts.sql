-- The ledger sorts by its columns (tx/rectify.rs `ledger_sorted`), keyset-paged under every
-- sort: each order is a walk of an index over (the key, id), in either direction, so a page
-- costs the same at the first row and the millionth. Unit and status already have theirs
-- (0011: rectification_tasks_unit, rectification_tasks_status).
-- A long-term task has no date; it sorts after every dated one, on both backends alike, by
-- the same expression the statement orders by.
CREATE INDEX rectification_tasks_sort_due
    ON rectification_tasks (COALESCE(due_date, '9999-12-31'), id);
CREATE INDEX rectification_tasks_sort_progress ON rectification_tasks (progress, id);
CREATE INDEX rectification_tasks_sort_updated ON rectification_tasks (updated_at, id);
