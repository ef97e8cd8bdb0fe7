-- The leadership view (领导视图) counts over indexes, never rows read one by one.
-- Inspections by round and stage: the rounds × stages table is read from this index alone.
CREATE INDEX inspections_round_stage ON inspections (round_id, stage);
-- Completion over time: a round's closed tasks counted by month of closing, found through
-- the round's inspections; only the live closed tasks, as the ledger's tallies count them.
CREATE INDEX rectification_tasks_closed_on ON rectification_tasks (inspection_id, closed_on)
    WHERE status = 'closed' AND withdrawn_reason IS NULL;
-- Clues whose handling is done (已办结), counted without reading the register.
CREATE INDEX clues_disposed ON clues (transfer_id)
    WHERE status = 'disposed';
