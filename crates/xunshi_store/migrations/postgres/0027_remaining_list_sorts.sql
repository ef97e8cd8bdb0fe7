-- The remaining lists sort by their columns, keyset-paged under every sort as the lists of
-- 0025 and 0026 are: each order is a walk of an index over (the key, id), in either direction.

-- The long-term mechanisms sort by title, kind (revised or established), document number, day
-- issued and unit (tx/supervise.rs `mechanisms_sorted`).
CREATE INDEX mechanisms_sort_title ON mechanisms (title, id);
CREATE INDEX mechanisms_sort_kind ON mechanisms (is_new, id);
CREATE INDEX mechanisms_sort_doc_no ON mechanisms (doc_no, id);
CREATE INDEX mechanisms_sort_issued ON mechanisms (issued_on, id);
CREATE INDEX mechanisms_sort_unit ON mechanisms (unit_id, id);

-- The personnel pool sorts by name, current unit, post, specialty and status (in the pool or
-- taken out) (tx/teams.rs `inspectors_sorted`).
CREATE INDEX inspectors_sort_name ON inspectors (name, id);
CREATE INDEX inspectors_sort_unit ON inspectors (unit_id, id);
CREATE INDEX inspectors_sort_post ON inspectors (post, id);
CREATE INDEX inspectors_sort_specialty ON inspectors (specialty, id);
CREATE INDEX inspectors_sort_status ON inspectors (withdrawn, id);

-- As in SQLite's 0027: the statistics of the tables whose new indexes the lists walk.
ANALYZE mechanisms;
ANALYZE inspectors;
