-- Nothing to change on SQLite: a transaction defers its foreign-key checks to the commit with
-- PRAGMA defer_foreign_keys (the restore and the move between backends do). The version is
-- kept so that both backends count their migrations alike.
SELECT 1;
