-- The problems found again, added up over the whole province: the dashboard of the office and
-- the leadership shows this number on every view, and summing the rows of recurrence_counts
-- each time walked all of them (21,380 at a million tasks). The patterns job writes it with
-- recurrence_counts, in the same transaction.
CREATE TABLE recurrence_total (
    id        SMALLINT PRIMARY KEY CHECK (id = 1),
    problems  BIGINT NOT NULL
);
INSERT INTO recurrence_total (id, problems)
SELECT 1, COALESCE(SUM(problems), 0) FROM recurrence_counts;
