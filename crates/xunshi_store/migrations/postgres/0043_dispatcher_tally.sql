-- The figures by level (分级汇总): each dispatching committee's live tasks, those closed and
-- those past their day, kept with the other tallies on every move of a task (an inspection's
-- committee never changes), so the figures read one row per committee rather than summing
-- every row of `task_tally`.
CREATE TABLE task_tally_dispatcher (
    dispatcher_id  TEXT COLLATE "C" PRIMARY KEY,
    total          BIGINT NOT NULL,
    closed         BIGINT NOT NULL,
    red            BIGINT NOT NULL
);
INSERT INTO task_tally_dispatcher (dispatcher_id, total, closed, red)
SELECT i.dispatcher_id, SUM(t.n),
       SUM(CASE WHEN t.status = 'closed' THEN t.n ELSE 0 END),
       SUM(CASE WHEN t.colour = 'red' THEN t.n ELSE 0 END)
  FROM task_tally t JOIN inspections i ON i.id = t.inspection_id
 GROUP BY i.dispatcher_id;
