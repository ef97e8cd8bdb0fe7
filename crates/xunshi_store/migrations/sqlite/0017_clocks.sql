-- The running clocks: an inspected unit after feedback whose plan (plan_due), or whose two
-- reports (report_due), have not reached the office. The dashboard on every home page counts
-- and lists them; read from the inspections, that walked every inspection in rectification.
-- The rows are derived: the store recomputes an inspection's rows in the transaction of every
-- write that can start or stop a clock (tx/clocks.rs, whose statement the backfill below
-- repeats).
CREATE TABLE running_clocks (
    inspection_id  TEXT NOT NULL REFERENCES inspections (id),
    unit_id        TEXT NOT NULL REFERENCES units (id),
    clock          TEXT NOT NULL,
    feedback_on    TEXT NOT NULL,
    PRIMARY KEY (inspection_id, unit_id, clock)
);
-- The dashboard reads a clock's rows by feedback date (earliest due first).
CREATE INDEX running_clocks_due ON running_clocks (clock, feedback_on);
CREATE INDEX running_clocks_unit ON running_clocks (unit_id);

INSERT INTO running_clocks (inspection_id, unit_id, clock, feedback_on)
SELECT i.id, t.unit_id, 'plan_due', i.feedback_on
  FROM inspections i
  JOIN inspection_targets t ON t.inspection_id = i.id AND t.withdrawn_at IS NULL
 WHERE i.stage IN ('feedback_given', 'rectification') AND i.feedback_on IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM rectification_plans p
                    WHERE p.inspection_id = i.id AND p.unit_id = t.unit_id
                      AND p.submitted_at IS NOT NULL)
UNION ALL
SELECT i.id, t.unit_id, 'report_due', i.feedback_on
  FROM inspections i
  JOIN inspection_targets t ON t.inspection_id = i.id AND t.withdrawn_at IS NULL
 WHERE i.stage IN ('feedback_given', 'rectification') AND i.feedback_on IS NOT NULL
   AND NOT (EXISTS (SELECT 1 FROM rect_documents d
                     WHERE d.inspection_id = i.id AND d.unit_id = t.unit_id
                       AND d.kind = 'rectification' AND d.submitted_on IS NOT NULL)
            AND EXISTS (SELECT 1 FROM rect_documents d
                         WHERE d.inspection_id = i.id AND d.unit_id = t.unit_id
                           AND d.kind = 'principal_report' AND d.submitted_on IS NOT NULL));
