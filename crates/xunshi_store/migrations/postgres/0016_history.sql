-- History kept: child rows are withdrawn or replaced, never deleted and re-inserted.

-- An inspector's past posts and declared relatives. A declaration taken back keeps its row,
-- with the time it was taken back (the inspector's `updated_at` of that change; who made it
-- is in the audit record of the same change); null while it stands. The pool's pages and the
-- recusal screening read only the rows not withdrawn.
ALTER TABLE inspector_posts ADD COLUMN withdrawn_at TEXT COLLATE "C";
ALTER TABLE inspector_relatives ADD COLUMN withdrawn_at TEXT COLLATE "C";
