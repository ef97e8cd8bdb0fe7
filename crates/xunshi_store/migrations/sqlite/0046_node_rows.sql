-- What the office last took of each record a team's node returned: the digest of the node's
-- row as it came, and of the office's row after the import or decision where the office then
-- held the node's record (NULL where it kept its own). A later import compares against these,
-- not against the bundle that first went out, so a record the node changes again after an
-- import comes back as an update; `conflict_id` is the conflict of the record still undecided.
CREATE TABLE node_rows (
    pair          TEXT NOT NULL,
    table_name    TEXT NOT NULL,
    -- JSON array of the record's key values.
    row_key       TEXT NOT NULL,
    node_digest   TEXT NOT NULL,
    office_digest TEXT,
    conflict_id   TEXT REFERENCES node_conflicts (id),
    taken_at      TEXT NOT NULL,
    PRIMARY KEY (pair, table_name, row_key)
);
