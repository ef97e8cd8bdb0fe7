-- Reports and disclosure: the rectification report and the principal leader's report, which
-- the unit sends to the inspection office, and the public progress notice, which the office
-- approves for the public page; with every saved revision of their text.

CREATE TABLE rect_documents (
    id                TEXT PRIMARY KEY,
    kind              TEXT NOT NULL,
    inspection_id     TEXT NOT NULL REFERENCES inspections (id),
    unit_id           TEXT NOT NULL REFERENCES units (id),
    title             TEXT NOT NULL,
    body              TEXT NOT NULL,
    addressee         TEXT NOT NULL,
    issuer            TEXT NOT NULL,
    contact_phone     TEXT NOT NULL,
    contact_mailbox   TEXT NOT NULL,
    contact_address   TEXT NOT NULL,
    status            TEXT NOT NULL,
    revision          INTEGER NOT NULL,
    created_by        TEXT REFERENCES users (id),
    created_by_name   TEXT NOT NULL,
    created_at        TEXT NOT NULL,
    submitted_by      TEXT REFERENCES users (id),
    submitted_by_name TEXT,
    submitted_at      TEXT,
    submitted_on      TEXT,
    decided_by        TEXT REFERENCES users (id),
    decided_by_name   TEXT,
    decided_at        TEXT,
    decision_comment  TEXT NOT NULL,
    published_on      TEXT,
    version           BIGINT NOT NULL,
    updated_at        TEXT NOT NULL
);
CREATE INDEX rect_documents_unit ON rect_documents (inspection_id, unit_id, kind);
CREATE INDEX rect_documents_status ON rect_documents (status, published_on);
-- A unit edits one draft of each kind at a time.
CREATE UNIQUE INDEX rect_documents_one_draft ON rect_documents (inspection_id, unit_id, kind)
    WHERE status IN ('draft', 'returned');

CREATE TABLE rect_document_revisions (
    document_id       TEXT NOT NULL REFERENCES rect_documents (id),
    number            INTEGER NOT NULL,
    title             TEXT NOT NULL,
    body              TEXT NOT NULL,
    contact_phone     TEXT NOT NULL,
    contact_mailbox   TEXT NOT NULL,
    contact_address   TEXT NOT NULL,
    note              TEXT NOT NULL,
    created_by        TEXT REFERENCES users (id),
    created_by_name   TEXT NOT NULL,
    created_at        TEXT NOT NULL,
    PRIMARY KEY (document_id, number)
);
