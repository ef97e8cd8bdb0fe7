-- The index of the ledger's text filter (see src/text_index.rs): the character pairs of each
-- task's searched texts, separated by spaces, under a GIN index of the array they make.
-- Derived data: backups leave it out, the migration's Rust step and every restore fill it
-- from the tasks.
CREATE TABLE task_text (
    task_id  TEXT COLLATE "C" PRIMARY KEY
             REFERENCES rectification_tasks (id) DEFERRABLE INITIALLY IMMEDIATE,
    grams    TEXT NOT NULL
);
CREATE INDEX task_text_grams ON task_text USING gin (string_to_array(grams, ' '));
