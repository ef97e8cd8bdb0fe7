-- The work of a team's node (离线节点) taken in at the office: the records the node and the
-- office both changed since the bundle went out, each kept for the office's decision, and how
-- far each node's own audit trail has been appended to the office's.
CREATE TABLE node_conflicts (
    id            TEXT PRIMARY KEY,
    pair          TEXT NOT NULL,
    inspection_id TEXT NOT NULL REFERENCES inspections (id),
    table_name    TEXT NOT NULL,
    -- JSON arrays: the table's columns, the office's row at import, the node's row.
    columns       TEXT NOT NULL,
    office_row    TEXT NOT NULL,
    node_row      TEXT NOT NULL,
    imported_at   TEXT NOT NULL,
    decision      TEXT,
    decided_by    TEXT REFERENCES users (id),
    decided_at    TEXT
);
CREATE INDEX node_conflicts_inspection ON node_conflicts (inspection_id, id);

CREATE TABLE node_trails (
    pair        TEXT PRIMARY KEY,
    seq         BIGINT NOT NULL,
    hash        TEXT NOT NULL,
    taken_at    TEXT NOT NULL
);
