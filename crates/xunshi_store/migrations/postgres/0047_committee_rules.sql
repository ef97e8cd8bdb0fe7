-- A committee's own deadline rules (a city's or county's 巡察办 keeps them for the inspections
-- its committee sends): one clock each, in place of the rule of the committee's level for that
-- clock. The running clocks carry the committee whose own rule reckons them (`rule_owner`,
-- '' where the level's rule does), kept by the clocks' refresh and by a committee's rule made
-- or removed, so that the counts and the groups of clocks read it from the index.
CREATE TABLE committee_deadline_rules (
    id           TEXT COLLATE "C" PRIMARY KEY,
    committee_id TEXT COLLATE "C" NOT NULL REFERENCES units (id) DEFERRABLE INITIALLY IMMEDIATE,
    level        TEXT COLLATE "C" NOT NULL,
    clock        TEXT COLLATE "C" NOT NULL,
    amount       BIGINT NOT NULL,
    counting     TEXT COLLATE "C" NOT NULL,
    basis        TEXT COLLATE "C" NOT NULL,
    version      BIGINT NOT NULL,
    updated_at   TEXT COLLATE "C",
    updated_by   TEXT COLLATE "C" REFERENCES users (id) DEFERRABLE INITIALLY IMMEDIATE,
    UNIQUE (committee_id, clock)
);

ALTER TABLE running_clocks ADD COLUMN rule_owner TEXT COLLATE "C" NOT NULL DEFAULT '';
DROP INDEX running_clocks_due;
CREATE INDEX running_clocks_due
    ON running_clocks (clock, feedback_on, dispatcher_level, rule_owner, inspection_id, unit_id);
