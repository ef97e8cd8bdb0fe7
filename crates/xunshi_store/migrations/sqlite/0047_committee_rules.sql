-- A committee's own deadline rules (a city's or county's 巡察办 keeps them for the inspections
-- its committee sends): one clock each, in place of the rule of the committee's level for that
-- clock. The running clocks carry the committee whose own rule reckons them (`rule_owner`,
-- '' where the level's rule does), kept by the clocks' refresh and by a committee's rule made
-- or removed, so that the counts and the groups of clocks read it from the index.
CREATE TABLE committee_deadline_rules (
    id           TEXT PRIMARY KEY,
    committee_id TEXT NOT NULL REFERENCES units (id),
    level        TEXT NOT NULL,
    clock        TEXT NOT NULL,
    amount       BIGINT NOT NULL,
    counting     TEXT NOT NULL,
    basis        TEXT NOT NULL,
    version      BIGINT NOT NULL,
    updated_at   TEXT,
    updated_by   TEXT REFERENCES users (id),
    UNIQUE (committee_id, clock)
);

ALTER TABLE running_clocks ADD COLUMN rule_owner TEXT NOT NULL DEFAULT '';
DROP INDEX running_clocks_due;
CREATE INDEX running_clocks_due
    ON running_clocks (clock, feedback_on, dispatcher_level, rule_owner, inspection_id, unit_id);
