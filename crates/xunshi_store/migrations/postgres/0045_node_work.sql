-- The work of a team's node (离线节点) taken in at the office: the records the node and the
-- office both changed since the bundle went out, each kept for the office's decision, and how
-- far each node's own audit trail has been appended to the office's.
CREATE TABLE node_conflicts (
    id            TEXT COLLATE "C" PRIMARY KEY,
    pair          TEXT COLLATE "C" NOT NULL,
    inspection_id TEXT COLLATE "C" NOT NULL REFERENCES inspections (id) DEFERRABLE INITIALLY IMMEDIATE,
    table_name    TEXT COLLATE "C" NOT NULL,
    -- JSON arrays: the table's columns, the office's row at import, the node's row.
    columns       TEXT COLLATE "C" NOT NULL,
    office_row    TEXT COLLATE "C" NOT NULL,
    node_row      TEXT COLLATE "C" NOT NULL,
    imported_at   TEXT COLLATE "C" NOT NULL,
    decision      TEXT COLLATE "C",
    decided_by    TEXT COLLATE "C" REFERENCES users (id) DEFERRABLE INITIALLY IMMEDIATE,
    decided_at    TEXT COLLATE "C"
);
CREATE INDEX node_conflicts_inspection ON node_conflicts (inspection_id, id);

CREATE TABLE node_trails (
    pair        TEXT COLLATE "C" PRIMARY KEY,
    seq         BIGINT NOT NULL,
    hash        TEXT COLLATE "C" NOT NULL,
    taken_at    TEXT COLLATE "C" NOT NULL
);
