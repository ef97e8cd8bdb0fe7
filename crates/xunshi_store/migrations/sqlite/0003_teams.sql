-- Teams: the personnel pool of inspectors (干部人才库) with their past posts and declared
-- relatives, the appointments to inspection teams, the recusal rules kept by the office, and
-- the localities of units (for recusal by locality; the units table itself is left as it is).

CREATE TABLE inspectors (
    id               TEXT PRIMARY KEY,
    name             TEXT NOT NULL,
    user_id          TEXT REFERENCES users (id),
    unit_id          TEXT NOT NULL REFERENCES units (id),
    post             TEXT NOT NULL,
    specialty        TEXT NOT NULL,
    locality         TEXT NOT NULL,
    withdrawn        SMALLINT NOT NULL DEFAULT 0,
    withdraw_reason  TEXT,
    version          BIGINT NOT NULL,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX inspectors_unit ON inspectors (unit_id);
-- One person of the pool per login account.
CREATE UNIQUE INDEX inspectors_user ON inspectors (user_id) WHERE user_id IS NOT NULL;

CREATE TABLE inspector_posts (
    id            TEXT PRIMARY KEY,
    inspector_id  TEXT NOT NULL REFERENCES inspectors (id),
    unit_id       TEXT NOT NULL REFERENCES units (id),
    post          TEXT NOT NULL,
    from_on       TEXT NOT NULL,
    to_on         TEXT
);
CREATE INDEX inspector_posts_inspector ON inspector_posts (inspector_id);

CREATE TABLE inspector_relatives (
    id            TEXT PRIMARY KEY,
    inspector_id  TEXT NOT NULL REFERENCES inspectors (id),
    relation      TEXT NOT NULL,
    name          TEXT NOT NULL,
    unit_id       TEXT NOT NULL REFERENCES units (id),
    position      SMALLINT NOT NULL
);
CREATE INDEX inspector_relatives_inspector ON inspector_relatives (inspector_id);

-- An appointment to a team; withdrawn appointments stay. `conflicts` is the JSON list of the
-- recusal findings at appointment, `override_reason` why the office appointed regardless.
CREATE TABLE team_members (
    id               TEXT PRIMARY KEY,
    inspection_id    TEXT NOT NULL REFERENCES inspections (id),
    inspector_id     TEXT NOT NULL REFERENCES inspectors (id),
    role             TEXT NOT NULL,
    conflicts        TEXT NOT NULL,
    override_reason  TEXT,
    appointed_by     TEXT,
    appointed_at     TEXT NOT NULL,
    grant_id         TEXT REFERENCES grants (id),
    withdrawn_at     TEXT,
    withdraw_reason  TEXT,
    version          BIGINT NOT NULL
);
CREATE INDEX team_members_inspection ON team_members (inspection_id);
CREATE INDEX team_members_inspector ON team_members (inspector_id);
-- A person is on a team once at a time, and a team has one leader at a time.
CREATE UNIQUE INDEX team_members_active ON team_members (inspection_id, inspector_id)
    WHERE withdrawn_at IS NULL;
CREATE UNIQUE INDEX team_members_leader ON team_members (inspection_id)
    WHERE role = 'leader' AND withdrawn_at IS NULL;

-- One rule per inspection kind or flag. Shipped default: a cross inspection (交叉巡视) must not
-- take members from the inspected unit's locality.
CREATE TABLE recusal_rules (
    applies_to     TEXT PRIMARY KEY,
    same_locality  SMALLINT NOT NULL,
    version        BIGINT NOT NULL,
    updated_at     TEXT
);
INSERT INTO recusal_rules (applies_to, same_locality, version) VALUES
    ('routine', 0, 1),
    ('special', 0, 1),
    ('mobile', 0, 1),
    ('look_back', 0, 1),
    ('cross', 1, 1),
    ('elevated', 0, 1),
    ('linked', 0, 1);

CREATE TABLE unit_localities (
    unit_id     TEXT PRIMARY KEY REFERENCES units (id),
    locality    TEXT NOT NULL,
    version     BIGINT NOT NULL,
    updated_at  TEXT NOT NULL
);
