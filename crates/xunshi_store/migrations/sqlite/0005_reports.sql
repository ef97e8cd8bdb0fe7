-- Reports: the inspection report and special reports, their versions (drafts, never changed
-- once written), the decisions of the approval chain, and the feedback.

CREATE TABLE reports (
    id               TEXT PRIMARY KEY,
    inspection_id    TEXT NOT NULL REFERENCES inspections (id),
    kind             TEXT NOT NULL,
    title            TEXT NOT NULL,
    status           TEXT NOT NULL,
    current_version  INTEGER NOT NULL,
    created_by       TEXT REFERENCES users (id),
    created_by_name  TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    version          BIGINT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX reports_inspection ON reports (inspection_id);
-- One inspection report per inspection; special reports are not limited.
CREATE UNIQUE INDEX reports_one_main ON reports (inspection_id) WHERE kind = 'main';

CREATE TABLE report_versions (
    report_id        TEXT NOT NULL REFERENCES reports (id),
    number           INTEGER NOT NULL,
    assessment       TEXT NOT NULL,
    -- JSON: the signed papers included, copied as they were.
    problems         TEXT NOT NULL,
    -- JSON array of strings.
    recommendations  TEXT NOT NULL,
    note             TEXT NOT NULL,
    created_by       TEXT REFERENCES users (id),
    created_by_name  TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    PRIMARY KEY (report_id, number)
);

CREATE TABLE report_steps (
    id               TEXT PRIMARY KEY,
    report_id        TEXT NOT NULL REFERENCES reports (id),
    step             TEXT NOT NULL,
    decision         TEXT NOT NULL,
    report_version   INTEGER NOT NULL,
    comment          TEXT NOT NULL,
    meeting_date     TEXT,
    decided_by       TEXT REFERENCES users (id),
    decided_by_name  TEXT NOT NULL,
    decided_at       TEXT NOT NULL
);
CREATE INDEX report_steps_report ON report_steps (report_id, id);

CREATE TABLE feedbacks (
    inspection_id    TEXT PRIMARY KEY REFERENCES inspections (id),
    status           TEXT NOT NULL,
    assessment       TEXT NOT NULL,
    -- JSON: the problems by category, each with its paper's id and title.
    problem_groups   TEXT NOT NULL,
    -- JSON array of strings.
    recommendations  TEXT NOT NULL,
    demands          TEXT NOT NULL,
    deadline         TEXT,
    meeting_date     TEXT,
    delivered_by     TEXT NOT NULL,
    delivered_to     TEXT NOT NULL,
    presided_by      TEXT NOT NULL,
    saved_by         TEXT REFERENCES users (id),
    saved_by_name    TEXT NOT NULL,
    saved_at         TEXT NOT NULL,
    given_by         TEXT REFERENCES users (id),
    given_by_name    TEXT,
    given_at         TEXT,
    version          BIGINT NOT NULL
);
