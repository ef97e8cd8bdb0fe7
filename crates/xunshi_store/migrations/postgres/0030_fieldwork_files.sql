-- Files of any fieldwork record, not only of letters: the minutes of a forum, the tally of a
-- democratic appraisal, the photographs of a visit. The owner is named by kind and id as the
-- citations name their sources; the service checks that the owner exists and who may add.
CREATE TABLE fieldwork_files (
    id          TEXT COLLATE "C" PRIMARY KEY,
    owner_kind  TEXT NOT NULL,
    owner_id    TEXT COLLATE "C" NOT NULL,
    filename    TEXT NOT NULL,
    size        BIGINT NOT NULL,
    kind        TEXT NOT NULL,
    sha256      TEXT COLLATE "C" NOT NULL,
    created_at  TEXT COLLATE "C" NOT NULL
);
CREATE INDEX fieldwork_files_owner ON fieldwork_files (owner_kind, owner_id, id);

INSERT INTO fieldwork_files (id, owner_kind, owner_id, filename, size, kind, sha256, created_at)
SELECT id, 'letter', letter_id, filename, size, kind, sha256, created_at FROM letter_files;

DROP TABLE letter_files;
