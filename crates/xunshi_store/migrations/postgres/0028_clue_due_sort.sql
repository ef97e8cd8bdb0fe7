-- The clue list sorts by the handling deadline (tx/clues.rs `clues_sorted`, `due`). The
-- deadline is the transfer's (clue_transfers.due_on); a copy on each clue, written with the
-- transfer, gives that order an index over (the deadline, id) walked like the other sorts
-- (0025), where a join would sort every clue of the filter. A clue not yet sent has none and
-- sorts after every deadline, by the same expression the statements order by.
ALTER TABLE clues ADD COLUMN due_on TEXT;
UPDATE clues SET due_on = (SELECT t.due_on FROM clue_transfers t WHERE t.id = clues.transfer_id)
 WHERE transfer_id IS NOT NULL;
CREATE INDEX clues_sort_due ON clues (COALESCE(due_on, '9999-12-31'), id);
ANALYZE clues;
