-- The foundation: the organisation tree, accounts and their grants, sessions, API tokens and
-- the hash-chained audit trail. Types are kept portable (see ARCHITECTURE.md, "Storage").

CREATE TABLE units (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL,
    level       TEXT NOT NULL,
    parent_id   TEXT REFERENCES units (id),
    withdrawn   SMALLINT NOT NULL DEFAULT 0,
    version     BIGINT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX units_parent ON units (parent_id);

CREATE TABLE users (
    id                   TEXT PRIMARY KEY,
    username             TEXT NOT NULL UNIQUE,
    display_name         TEXT NOT NULL,
    unit_id              TEXT REFERENCES units (id),
    password_hash        TEXT NOT NULL,
    password_changed_at  TEXT NOT NULL,
    disabled             SMALLINT NOT NULL DEFAULT 0,
    must_change_password SMALLINT NOT NULL DEFAULT 0,
    failed_logins        BIGINT NOT NULL DEFAULT 0,
    locked_until         TEXT,
    version              BIGINT NOT NULL,
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL
);
CREATE INDEX users_unit ON users (unit_id);

-- A role given to a user within a scope; revoked grants stay for the record.
CREATE TABLE grants (
    id          TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users (id),
    role        TEXT NOT NULL,
    scope_kind  TEXT NOT NULL,
    scope_id    TEXT,
    granted_by  TEXT,
    created_at  TEXT NOT NULL,
    revoked_at  TEXT
);
CREATE INDEX grants_user ON grants (user_id);
CREATE INDEX grants_scope ON grants (scope_kind, scope_id);
-- A role is held at most once per scope. (A global grant has no scope id; NULLs are distinct in
-- a unique index, so the service's check covers those, under the writers' lock.)
CREATE UNIQUE INDEX grants_active ON grants (user_id, role, scope_kind, scope_id)
    WHERE revoked_at IS NULL;

CREATE TABLE sessions (
    token_hash  TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users (id),
    csrf_token  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expiry ON sessions (expires_at);

CREATE TABLE api_tokens (
    id            TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users (id),
    name          TEXT NOT NULL,
    token_hash    TEXT NOT NULL UNIQUE,
    created_at    TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    last_used_at  TEXT,
    revoked_at    TEXT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- Append-only; each record holds the hash of the one before it.
CREATE TABLE audit_log (
    id           TEXT PRIMARY KEY,
    seq          BIGINT NOT NULL UNIQUE,
    at           TEXT NOT NULL,
    actor_id     TEXT,
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
