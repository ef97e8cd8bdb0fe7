-- Problem clues (问题线索): the register of each inspection, the transfers that send them in
-- batches with a letter, the recipients' disposal, and the office's handling deadline rules.

CREATE TABLE clue_transfers (
    id                 TEXT PRIMARY KEY,
    inspection_id      TEXT NOT NULL REFERENCES inspections (id),
    -- discipline, organization or department; a department names its unit.
    recipient_kind     TEXT NOT NULL,
    recipient_unit_id  TEXT REFERENCES units (id),
    letter_no          TEXT NOT NULL UNIQUE,
    letter_text        TEXT NOT NULL,
    transferred_on     TEXT NOT NULL,
    due_on             TEXT NOT NULL,
    created_by         TEXT REFERENCES users (id),
    created_at         TEXT NOT NULL
);
CREATE INDEX clue_transfers_inspection ON clue_transfers (inspection_id);
CREATE INDEX clue_transfers_recipient ON clue_transfers (recipient_kind, recipient_unit_id);

CREATE TABLE clues (
    id                    TEXT PRIMARY KEY,
    inspection_id         TEXT NOT NULL REFERENCES inspections (id),
    about_name            TEXT NOT NULL,
    about_post            TEXT NOT NULL,
    about_unit_id         TEXT REFERENCES units (id),
    summary               TEXT NOT NULL,
    source                TEXT NOT NULL,
    confidentiality       TEXT NOT NULL,
    kind                  TEXT NOT NULL,
    status                TEXT NOT NULL,
    -- Set once, when the clue goes out with a transfer.
    transfer_id           TEXT REFERENCES clue_transfers (id),
    disposal_method       TEXT,
    disposal_result       TEXT,
    disposal_decided_on   TEXT,
    disposal_recorded_by  TEXT REFERENCES users (id),
    disposal_recorded_at  TEXT,
    created_by            TEXT REFERENCES users (id),
    created_at            TEXT NOT NULL,
    updated_at            TEXT NOT NULL,
    version               BIGINT NOT NULL
);
CREATE INDEX clues_inspection ON clues (inspection_id);
CREATE INDEX clues_transfer ON clues (transfer_id);

-- One row: the handling deadline rules in force.
CREATE TABLE clue_settings (
    id               SMALLINT PRIMARY KEY,
    handling_months  BIGINT NOT NULL,
    warn_days        BIGINT NOT NULL,
    version          BIGINT NOT NULL,
    updated_at       TEXT,
    updated_by       TEXT REFERENCES users (id)
);
INSERT INTO clue_settings (id, handling_months, warn_days, version) VALUES (1, 3, 7, 1);
