-- The to-do (工作台) of every official counts and lists, on each home page, the rows waiting
-- in one state, longest waiting first (xunshi_store/src/tx/todo.rs). Each state is read
-- through an index of its own; the partial ones hold only the rows that wait, which are few.
CREATE INDEX rectification_plans_status ON rectification_plans (status, submitted_at, id);
-- The claims lead with their status: the status index (status, id) is then no cheaper to
-- the planner (SQLite 3.50 chose it, and sorted every claim, 60 ms a home page at a million
-- tasks), and this one gives the claims in the order they wait.
CREATE INDEX rectification_tasks_claimed ON rectification_tasks (status, updated_at, id)
    WHERE status = 'claimed' AND withdrawn_reason IS NULL;
CREATE INDEX task_change_requests_pending ON task_change_requests (id)
    WHERE approved IS NULL;
-- A unit's notices awaiting its answer, by unit: the unit's people see their number on every
-- page.
CREATE INDEX followups_open ON followups (unit_id, id)
    WHERE answered_on IS NULL;
CREATE INDEX reports_status ON reports (status, updated_at, id);
CREATE INDEX problems_approved ON problems (inspection_id, approved_at, id)
    WHERE status = 'approved';
CREATE INDEX clues_transferred ON clues (transfer_id)
    WHERE status = 'transferred';
