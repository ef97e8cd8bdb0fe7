-- Working papers: the versioned problem taxonomy, problems (问题底稿), their evidence files and
-- the immediate-fix notices (立行立改).

CREATE TABLE taxonomy_versions (
    id          TEXT PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL UNIQUE,
    valid_from  TEXT NOT NULL
);

CREATE TABLE problem_categories (
    id          TEXT PRIMARY KEY,
    version_id  TEXT NOT NULL REFERENCES taxonomy_versions (id),
    code        TEXT NOT NULL,
    name        TEXT NOT NULL,
    position    INTEGER NOT NULL,
    UNIQUE (version_id, code),
    UNIQUE (version_id, name)
);

-- The taxonomy shipped with the product (domain.md §5). It is data: the office adds versions
-- and categories; a problem keeps the version it was classified under.
INSERT INTO taxonomy_versions (id, code, name, valid_from) VALUES
    ('00000000-0000-7000-8000-000000002017', '2017', '2017版（六大纪律/党的建设）', '2017-07-01'),
    ('00000000-0000-7000-8000-000000002020', '2020', '2020版（四个落实）', '2020-01-01');

INSERT INTO problem_categories (id, version_id, code, name, position) VALUES
    ('00000000-0000-7000-8001-000000201701', '00000000-0000-7000-8000-000000002017', 'political', '政治建设', 1),
    ('00000000-0000-7000-8001-000000201702', '00000000-0000-7000-8000-000000002017', 'ideological', '思想建设', 2),
    ('00000000-0000-7000-8001-000000201703', '00000000-0000-7000-8000-000000002017', 'organizational', '组织建设', 3),
    ('00000000-0000-7000-8001-000000201704', '00000000-0000-7000-8000-000000002017', 'conduct', '作风建设', 4),
    ('00000000-0000-7000-8001-000000201705', '00000000-0000-7000-8000-000000002017', 'discipline', '纪律建设', 5),
    ('00000000-0000-7000-8001-000000201706', '00000000-0000-7000-8000-000000002017', 'integrity', '党风廉政建设和反腐败斗争', 6),
    ('00000000-0000-7000-8001-000000201707', '00000000-0000-7000-8000-000000002017', 'prior_rectification', '落实上轮巡视整改', 7),
    ('00000000-0000-7000-8001-000000202001', '00000000-0000-7000-8000-000000002020', 'theory_line', '贯彻落实党的理论和路线方针政策及党中央重大决策部署', 1),
    ('00000000-0000-7000-8001-000000202002', '00000000-0000-7000-8000-000000002020', 'strict_governance', '落实全面从严治党战略部署（主体责任、监督责任）', 2),
    ('00000000-0000-7000-8001-000000202003', '00000000-0000-7000-8000-000000002020', 'organizational_line', '落实新时代党的组织路线', 3),
    ('00000000-0000-7000-8001-000000202004', '00000000-0000-7000-8000-000000002020', 'rectification', '落实巡视、审计等监督发现问题整改', 4);

CREATE TABLE problems (
    id                    TEXT PRIMARY KEY,
    inspection_id         TEXT NOT NULL REFERENCES inspections (id),
    seq                   INTEGER NOT NULL,
    target_unit_id        TEXT NOT NULL REFERENCES units (id),
    taxonomy_version_id   TEXT NOT NULL REFERENCES taxonomy_versions (id),
    category_id           TEXT NOT NULL REFERENCES problem_categories (id),
    title                 TEXT NOT NULL,
    facts                 TEXT NOT NULL,
    rule_broken           TEXT NOT NULL,
    responsibility        TEXT NOT NULL,
    -- JSON array of responsibility type codes, in the documents' order.
    responsibility_types  TEXT NOT NULL,
    severity              TEXT NOT NULL,
    status                TEXT NOT NULL,
    created_by            TEXT REFERENCES users (id),
    created_by_name       TEXT NOT NULL,
    created_at            TEXT NOT NULL,
    approved_by           TEXT REFERENCES users (id),
    approved_by_name      TEXT,
    approved_at           TEXT,
    signed_by             TEXT REFERENCES users (id),
    signed_by_name        TEXT,
    signed_at             TEXT,
    status_note           TEXT,
    version               BIGINT NOT NULL,
    updated_at            TEXT NOT NULL,
    UNIQUE (inspection_id, seq)
);
CREATE INDEX problems_category ON problems (category_id);

-- Files are stored outside the database, content-addressed by sha256; a row names one
-- attachment of a file to a paper. Rows are never deleted or replaced, only withdrawn.
CREATE TABLE evidence (
    id                 TEXT PRIMARY KEY,
    problem_id         TEXT NOT NULL REFERENCES problems (id),
    inspection_id      TEXT NOT NULL REFERENCES inspections (id),
    filename           TEXT NOT NULL,
    size               BIGINT NOT NULL,
    content_type       TEXT NOT NULL,
    kind               TEXT NOT NULL,
    sha256             TEXT NOT NULL,
    uploaded_by        TEXT REFERENCES users (id),
    uploaded_by_name   TEXT NOT NULL,
    uploaded_at        TEXT NOT NULL,
    withdrawn_by       TEXT REFERENCES users (id),
    withdrawn_by_name  TEXT,
    withdrawn_at       TEXT,
    withdrawn_reason   TEXT
);
CREATE INDEX evidence_problem ON evidence (problem_id);
CREATE INDEX evidence_inspection ON evidence (inspection_id);
CREATE INDEX evidence_sha256 ON evidence (sha256);

CREATE TABLE fix_notices (
    id                TEXT PRIMARY KEY,
    inspection_id     TEXT NOT NULL REFERENCES inspections (id),
    unit_id           TEXT NOT NULL REFERENCES units (id),
    problem_id        TEXT REFERENCES problems (id),
    seq               INTEGER NOT NULL,
    content           TEXT NOT NULL,
    issued_on         TEXT NOT NULL,
    due_on            TEXT,
    status            TEXT NOT NULL,
    issued_by         TEXT REFERENCES users (id),
    issued_by_name    TEXT NOT NULL,
    issued_at         TEXT NOT NULL,
    answer            TEXT,
    answered_on       TEXT,
    answered_by       TEXT REFERENCES users (id),
    answered_by_name  TEXT,
    answered_at       TEXT,
    review_comment    TEXT,
    reviewed_by       TEXT REFERENCES users (id),
    reviewed_by_name  TEXT,
    reviewed_at       TEXT,
    version           BIGINT NOT NULL,
    UNIQUE (inspection_id, seq)
);
CREATE INDEX fix_notices_unit ON fix_notices (unit_id);
