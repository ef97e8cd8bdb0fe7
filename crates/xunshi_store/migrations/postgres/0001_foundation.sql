-- The foundation: the organisation tree, accounts and their grants, sessions, API tokens and
-- the hash-chained audit trail. Types are kept portable (see ARCHITECTURE.md, "Storage");
-- ids and timestamps use the C collation so that text order is byte order, as in SQLite.

CREATE TABLE units (
    id          TEXT COLLATE "C" PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL,
    level       TEXT NOT NULL,
    parent_id   TEXT COLLATE "C" REFERENCES units (id),
    withdrawn   SMALLINT NOT NULL DEFAULT 0,
    version     BIGINT NOT NULL,
    created_at  TEXT COLLATE "C" NOT NULL,
    updated_at  TEXT COLLATE "C" NOT NULL
);
CREATE INDEX units_parent ON units (parent_id);

CREATE TABLE users (
    id                   TEXT COLLATE "C" PRIMARY KEY,
    username             TEXT NOT NULL UNIQUE,
    display_name         TEXT NOT NULL,
    unit_id              TEXT COLLATE "C" REFERENCES units (id),
    password_hash        TEXT NOT NULL,
    password_changed_at  TEXT COLLATE "C" NOT NULL,
    disabled             SMALLINT NOT NULL DEFAULT 0,
    must_change_password SMALLINT NOT NULL DEFAULT 0,
    failed_logins        BIGINT NOT NULL DEFAULT 0,
    locked_until         TEXT COLLATE "C",
    version              BIGINT NOT NULL,
    created_at           TEXT COLLATE "C" NOT NULL,
    updated_at           TEXT COLLATE "C" NOT NULL
);
CREATE INDEX users_unit ON users (unit_id);

-- A role given to a user within a scope; revoked grants stay for the record.
CREATE TABLE grants (
    id          TEXT COLLATE "C" PRIMARY KEY,
    user_id     TEXT COLLATE "C" NOT NULL REFERENCES users (id),
    role        TEXT NOT NULL,
    scope_kind  TEXT NOT NULL,
    scope_id    TEXT COLLATE "C",
    granted_by  TEXT COLLATE "C",
    created_at  TEXT COLLATE "C" NOT NULL,
    revoked_at  TEXT COLLATE "C"
);
CREATE INDEX grants_user ON grants (user_id);
CREATE INDEX grants_scope ON grants (scope_kind, scope_id);
-- A role is held at most once per scope. (A global grant has no scope id; NULLs are distinct in
-- a unique index, so the service's check covers those, under the writers' lock.)
CREATE UNIQUE INDEX grants_active ON grants (user_id, role, scope_kind, scope_id)
    WHERE revoked_at IS NULL;

CREATE TABLE sessions (
    token_hash  TEXT PRIMARY KEY,
    user_id     TEXT COLLATE "C" NOT NULL REFERENCES users (id),
    csrf_token  TEXT NOT NULL,
    created_at  TEXT COLLATE "C" NOT NULL,
    expires_at  TEXT COLLATE "C" NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expiry ON sessions (expires_at);

CREATE TABLE api_tokens (
    id            TEXT COLLATE "C" PRIMARY KEY,
    user_id       TEXT COLLATE "C" NOT NULL REFERENCES users (id),
    name          TEXT NOT NULL,
    token_hash    TEXT NOT NULL UNIQUE,
    created_at    TEXT COLLATE "C" NOT NULL,
    expires_at    TEXT COLLATE "C" NOT NULL,
    last_used_at  TEXT COLLATE "C",
    revoked_at    TEXT COLLATE "C"
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- Append-only; each record holds the hash of the one before it.
CREATE TABLE audit_log (
    id           TEXT COLLATE "C" PRIMARY KEY,
    seq          BIGINT NOT NULL UNIQUE,
    at           TEXT COLLATE "C" NOT NULL,
    actor_id     TEXT COLLATE "C",
    actor_name   TEXT NOT NULL,
    action       TEXT NOT NULL,
    object_type  TEXT NOT NULL,
    object_id    TEXT,
    ip           TEXT,
    summary      TEXT NOT NULL,
    prev_hash    TEXT NOT NULL,
    hash         TEXT NOT NULL
);
CREATE INDEX audit_log_actor ON audit_log (actor_name, seq);
CREATE INDEX audit_log_action ON audit_log (action, seq);
CREATE INDEX audit_log_object ON audit_log (object_type, object_id);
CREATE INDEX audit_log_at ON audit_log (at);

-- One row: how many records the trail holds and the hash of the last. Writers lock it, so the
-- chain never forks, and deleting the newest records shows.
CREATE TABLE audit_head (
    id    SMALLINT PRIMARY KEY,
    seq   BIGINT NOT NULL,
    hash  TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
