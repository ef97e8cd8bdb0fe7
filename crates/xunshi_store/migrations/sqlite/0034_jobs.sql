-- The background jobs of the serving instances (upkeep, statistics, audit checkpoints, the
-- e-mail outbox): one row per job. An instance takes a due job by setting itself as holder
-- until its lease ends (on PostgreSQL under FOR UPDATE SKIP LOCKED, so instances never wait on
-- each other's claims); another may take it over only once the lease has run out, when its
-- holder died. Times are RFC 3339 UTC to the microsecond, like every other.
CREATE TABLE jobs (
    name         TEXT PRIMARY KEY,
    due_at       TEXT NOT NULL,
    holder       TEXT,
    lease_until  TEXT,
    runs         BIGINT NOT NULL DEFAULT 0
);

-- One row per run of a job, for the administrator and for checking that no run was lost or
-- done twice: a run whose holder died stays unfinished and is marked abandoned when another
-- instance takes the job over.
CREATE TABLE job_runs (
    id           TEXT PRIMARY KEY,
    job          TEXT NOT NULL REFERENCES jobs (name),
    due_at       TEXT NOT NULL,
    holder       TEXT NOT NULL,
    started_at   TEXT NOT NULL,
    finished_at  TEXT,
    outcome      TEXT NOT NULL DEFAULT 'running',
    detail       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX job_runs_job ON job_runs (job, started_at);
