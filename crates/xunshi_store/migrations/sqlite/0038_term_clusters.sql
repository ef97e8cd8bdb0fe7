-- Clusters of alike problems per term (届) as well as per round: the common problems of a
-- term across its units and rounds. A cluster belongs to one round or to one term, and counts
-- the rounds its problems were found in. The clusters are derived data that the `patterns`
-- job replaces whole on each run, so the tables are made anew rather than altered; the next
-- run (nightly, or `xunshi patterns build`) fills them again.
DROP TABLE problem_cluster_members;
DROP TABLE problem_clusters;

CREATE TABLE problem_clusters (
    id               TEXT PRIMARY KEY,
    round_id         TEXT REFERENCES rounds (id),
    term_id          TEXT REFERENCES terms (id),
    seq              INTEGER NOT NULL,
    lead_problem_id  TEXT NOT NULL REFERENCES problems (id),
    title            TEXT NOT NULL,
    category_id      TEXT NOT NULL REFERENCES problem_categories (id),
    problems         INTEGER NOT NULL,
    units            INTEGER NOT NULL,
    rounds           INTEGER NOT NULL,
    computed_at      TEXT NOT NULL,
    CHECK ((round_id IS NULL) <> (term_id IS NULL)),
    UNIQUE (round_id, seq),
    UNIQUE (term_id, seq)
);

CREATE TABLE problem_cluster_members (
    cluster_id   TEXT NOT NULL REFERENCES problem_clusters (id),
    problem_id   TEXT NOT NULL REFERENCES problems (id),
    similarity   SMALLINT NOT NULL,
    PRIMARY KEY (cluster_id, problem_id)
);
CREATE INDEX problem_cluster_members_problem ON problem_cluster_members (problem_id);
