-- The index of the ledger's text filter (see src/text_index.rs): the character pairs of each
-- task's searched texts. A task's row here gives it the integer that FTS5 keys its tokens by
-- (a task's own rowid may change on VACUUM); the pairs themselves live only in the FTS5
-- table, which keeps no copy of its content. Derived data: backups leave it out, the
-- migration's Rust step and every restore fill it from the tasks.
CREATE TABLE task_text (
    n        INTEGER PRIMARY KEY,
    task_id  TEXT NOT NULL UNIQUE REFERENCES rectification_tasks (id)
);
CREATE VIRTUAL TABLE task_text_grams USING fts5 (
    grams, content = '', contentless_delete = 1, detail = none, tokenize = 'ascii'
);
