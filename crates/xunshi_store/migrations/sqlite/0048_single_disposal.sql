-- A disposal may take one record of its kind rather than all of them: `record_id` names it,
-- and `record_title` keeps how the register named it, since the record itself goes.
ALTER TABLE disposals ADD COLUMN record_id TEXT;
ALTER TABLE disposals ADD COLUMN record_title TEXT;
