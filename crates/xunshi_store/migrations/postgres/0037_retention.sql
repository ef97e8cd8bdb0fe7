-- 保管期限与销毁: how long an archived inspection's fieldwork materials are kept, and their
-- disposal by two office users.

-- The day each inspection was archived: its periods run from the first of January after.
CREATE TABLE archived_inspections (
    inspection_id TEXT COLLATE "C" PRIMARY KEY REFERENCES inspections (id) DEFERRABLE INITIALLY IMMEDIATE,
    archived_on   TEXT COLLATE "C" NOT NULL
);
-- Inspections archived before this migration: the day of their last change, the move into
-- the archive.
INSERT INTO archived_inspections (inspection_id, archived_on)
SELECT id, substr(updated_at, 1, 10) FROM inspections WHERE stage = 'archived';

-- The period of each disposable kind, in years; NULL keeps it permanently (永久). Every other
-- kind of record is kept permanently. The periods shipped have never been set: no one, no time.
CREATE TABLE retention_rules (
    kind       TEXT COLLATE "C" PRIMARY KEY,
    years      BIGINT,
    version    BIGINT NOT NULL,
    updated_by TEXT COLLATE "C" REFERENCES users (id) DEFERRABLE INITIALLY IMMEDIATE,
    updated_at TEXT COLLATE "C"
);
INSERT INTO retention_rules (kind, years, version, updated_by, updated_at) VALUES
    ('letter', 30, 1, NULL, NULL),
    ('talk', 30, 1, NULL, NULL),
    ('doc_request', 10, 1, NULL, NULL),
    ('field_record', 10, 1, NULL, NULL);

-- 销毁清册: the disposal of one kind of record of one archived inspection, asked for by one
-- office user and decided by another. `gone` holds, once carried out, the SHA-256 of every
-- row and file that went (JSON).
CREATE TABLE disposals (
    id               TEXT COLLATE "C" PRIMARY KEY,
    inspection_id    TEXT COLLATE "C" NOT NULL REFERENCES inspections (id) DEFERRABLE INITIALLY IMMEDIATE,
    kind             TEXT COLLATE "C" NOT NULL,
    reason           TEXT COLLATE "C" NOT NULL,
    status           TEXT COLLATE "C" NOT NULL,
    records          BIGINT NOT NULL,
    proposed_by      TEXT COLLATE "C" NOT NULL REFERENCES users (id) DEFERRABLE INITIALLY IMMEDIATE,
    proposed_by_name TEXT COLLATE "C" NOT NULL,
    proposed_at      TEXT COLLATE "C" NOT NULL,
    decided_by       TEXT COLLATE "C" REFERENCES users (id) DEFERRABLE INITIALLY IMMEDIATE,
    decided_by_name  TEXT COLLATE "C",
    decided_at       TEXT COLLATE "C",
    decision_note    TEXT COLLATE "C",
    gone             TEXT COLLATE "C" NOT NULL,
    version          BIGINT NOT NULL
);
-- One waiting disposal per kind of an inspection.
CREATE UNIQUE INDEX disposals_waiting ON disposals (inspection_id, kind) WHERE status = 'proposed';
CREATE INDEX disposals_status ON disposals (status, id);
CREATE INDEX disposals_inspection ON disposals (inspection_id, id);

-- Whether a file a disposal took is still named by another record.
CREATE INDEX fieldwork_files_sha256 ON fieldwork_files (sha256);
