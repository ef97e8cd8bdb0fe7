-- Every foreign key may be checked at the end of its transaction when a transaction asks
-- (SET CONSTRAINTS ALL DEFERRED): a restore or a move from SQLite loads the tables in any
-- order, rows that point at one another included. Every other transaction still checks each
-- statement as before (INITIALLY IMMEDIATE).
DO $$
DECLARE r record;
BEGIN
    FOR r IN
        SELECT c.conrelid::regclass AS tbl, c.conname
        FROM pg_constraint c
        WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace
          AND NOT c.condeferrable
    LOOP
        EXECUTE format('ALTER TABLE %s ALTER CONSTRAINT %I DEFERRABLE INITIALLY IMMEDIATE',
                       r.tbl, r.conname);
    END LOOP;
END
$$;
