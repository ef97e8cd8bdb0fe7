-- Offices by level: a committee's own office reads the inspections its committee sends, and the
-- figures by level count each committee's inspections by stage, both through this index.
CREATE INDEX inspections_dispatcher ON inspections (dispatcher_id, stage);
