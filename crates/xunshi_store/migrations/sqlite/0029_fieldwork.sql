-- Fieldwork (进驻了解): the entry announcement, the register of letters, calls and visits, the
-- talks, the document requests, the other methods' records, and what papers and clues cite.
-- A writer's name and contact and a talk's text are sealed by the application (AES-256-GCM
-- under a data key wrapped by the key file named in the configuration): these tables hold
-- only the sealed text.

-- The data keys, each wrapped by the key file's key; the key file itself is never here.
CREATE TABLE cipher_keys (
    id          TEXT PRIMARY KEY,
    algorithm   TEXT NOT NULL,
    wrapped     TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE TABLE announcements (
    inspection_id TEXT PRIMARY KEY REFERENCES inspections (id),
    hotline     TEXT NOT NULL,
    mailbox     TEXT NOT NULL,
    postal_box  TEXT NOT NULL,
    email       TEXT NOT NULL,
    opens_on    TEXT NOT NULL,
    closes_on   TEXT NOT NULL,
    scope       TEXT NOT NULL,
    version     BIGINT NOT NULL,
    updated_at  TEXT NOT NULL
);
-- The public page: the announcements open today.
CREATE INDEX announcements_open ON announcements (closes_on, opens_on);

CREATE TABLE letters (
    id            TEXT PRIMARY KEY,
    inspection_id TEXT NOT NULL REFERENCES inspections (id),
    number        BIGINT NOT NULL,
    channel       TEXT NOT NULL,
    received_on   TEXT NOT NULL,
    anonymous     SMALLINT NOT NULL,
    writer_sealed TEXT,
    about_name    TEXT NOT NULL,
    about_post    TEXT NOT NULL,
    content       TEXT NOT NULL,
    discipline    TEXT,
    category_id   TEXT REFERENCES problem_categories (id),
    scope         TEXT NOT NULL,
    passed_to     TEXT NOT NULL,
    passed_letter TEXT NOT NULL,
    duplicate_of  TEXT REFERENCES letters (id),
    disposition   TEXT NOT NULL,
    status        TEXT NOT NULL,
    -- SHA-256 of the receipt code of a letter sent through the public page; never the code.
    receipt_hash  TEXT,
    recorded_by   TEXT REFERENCES users (id),
    version       BIGINT NOT NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE UNIQUE INDEX letters_number ON letters (inspection_id, number);
CREATE UNIQUE INDEX letters_receipt ON letters (receipt_hash) WHERE receipt_hash IS NOT NULL;
-- The register, newest first, paged by id.
CREATE INDEX letters_inspection ON letters (inspection_id, id);

-- The team's answers to a letter's writer and what the writer added through the receipt code.
CREATE TABLE letter_notes (
    id          TEXT PRIMARY KEY,
    letter_id   TEXT NOT NULL REFERENCES letters (id),
    from_writer SMALLINT NOT NULL,
    body        TEXT NOT NULL,
    author_id   TEXT REFERENCES users (id),
    created_at  TEXT NOT NULL
);
CREATE INDEX letter_notes_letter ON letter_notes (letter_id, id);

CREATE TABLE letter_files (
    id          TEXT PRIMARY KEY,
    letter_id   TEXT NOT NULL REFERENCES letters (id),
    filename    TEXT NOT NULL,
    size        BIGINT NOT NULL,
    kind        TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX letter_files_letter ON letter_files (letter_id, id);

-- The inspectors the team's leader appointed to handle letters: only they reveal a writer.
CREATE TABLE letter_handlers (
    inspection_id TEXT NOT NULL REFERENCES inspections (id),
    inspector_id  TEXT NOT NULL REFERENCES inspectors (id),
    appointed_by  TEXT REFERENCES users (id),
    appointed_at  TEXT NOT NULL,
    withdrawn_at  TEXT,
    PRIMARY KEY (inspection_id, inspector_id)
);

CREATE TABLE talk_plan (
    id            TEXT PRIMARY KEY,
    inspection_id TEXT NOT NULL REFERENCES inspections (id),
    name          TEXT NOT NULL,
    post          TEXT NOT NULL,
    grp           TEXT NOT NULL,
    talk_id       TEXT
);
CREATE INDEX talk_plan_inspection ON talk_plan (inspection_id, id);

CREATE TABLE talks (
    id               TEXT PRIMARY KEY,
    inspection_id    TEXT NOT NULL REFERENCES inspections (id),
    interviewee_name TEXT NOT NULL,
    interviewee_post TEXT NOT NULL,
    talked_on        TEXT NOT NULL,
    place            TEXT NOT NULL,
    -- The inspectors present, as a JSON array of pool ids.
    inspector_ids    TEXT NOT NULL,
    confirmed        SMALLINT NOT NULL,
    plan_entry_id    TEXT REFERENCES talk_plan (id),
    text_sealed      TEXT NOT NULL,
    recorded_by      TEXT REFERENCES users (id),
    version          BIGINT NOT NULL,
    created_at       TEXT NOT NULL
);
CREATE INDEX talks_inspection ON talks (inspection_id, id);

CREATE TABLE doc_requests (
    id            TEXT PRIMARY KEY,
    inspection_id TEXT NOT NULL REFERENCES inspections (id),
    unit_id       TEXT NOT NULL REFERENCES units (id),
    number        BIGINT NOT NULL,
    materials     TEXT NOT NULL,
    sent_on       TEXT NOT NULL,
    due_on        TEXT,
    notes         TEXT NOT NULL,
    answer        TEXT NOT NULL,
    delivered_on  TEXT,
    returned_on   TEXT,
    status        TEXT NOT NULL,
    version       BIGINT NOT NULL,
    created_at    TEXT NOT NULL
);
CREATE UNIQUE INDEX doc_requests_number ON doc_requests (inspection_id, number);
CREATE INDEX doc_requests_inspection ON doc_requests (inspection_id, id);
CREATE INDEX doc_requests_unit ON doc_requests (inspection_id, unit_id, id);
-- What waits for a unit's answer, across inspections.
CREATE INDEX doc_requests_waiting ON doc_requests (unit_id, id) WHERE status = 'sent';

CREATE TABLE field_records (
    id            TEXT PRIMARY KEY,
    inspection_id TEXT NOT NULL REFERENCES inspections (id),
    method        TEXT NOT NULL,
    held_on       TEXT NOT NULL,
    participants  TEXT NOT NULL,
    summary       TEXT NOT NULL,
    forms_out     BIGINT,
    forms_back    BIGINT,
    recorded_by   TEXT REFERENCES users (id),
    created_at    TEXT NOT NULL
);
CREATE INDEX field_records_inspection ON field_records (inspection_id, id);

-- A working paper or clue rests on a fieldwork record.
CREATE TABLE citations (
    citing_kind TEXT NOT NULL,
    citing_id   TEXT NOT NULL,
    source_kind TEXT NOT NULL,
    source_id   TEXT NOT NULL,
    cited_by    TEXT REFERENCES users (id),
    cited_at    TEXT NOT NULL,
    PRIMARY KEY (citing_kind, citing_id, source_kind, source_id)
);
CREATE INDEX citations_source ON citations (source_kind, source_id);
