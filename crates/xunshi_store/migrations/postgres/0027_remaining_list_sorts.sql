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

-- An inspection's working papers sort by title, category, severity (by its rank, as
-- tx/papers.rs `SEVERITY_RANK` writes it), status and last change, and by id as drafted
-- (tx/papers.rs `problems_sorted`); each a walk of the inspection's papers.
CREATE INDEX problems_sort_entry ON problems (inspection_id, id);
CREATE INDEX problems_sort_title ON problems (inspection_id, title, id);
CREATE INDEX problems_sort_category ON problems (inspection_id, category_id, id);
CREATE INDEX problems_sort_severity ON problems
    (inspection_id, (CASE severity WHEN 'general' THEN '1' WHEN 'serious' THEN '2' ELSE '3' END), id);
CREATE INDEX problems_sort_status ON problems (inspection_id, status, id);
CREATE INDEX problems_sort_updated ON problems (inspection_id, updated_at, id);

-- The rectification reports and progress notices sort by title, kind, unit, status, the day
-- submitted and the day published (none after every day, by the same expression the
-- statement orders by) (tx/disclose.rs `rect_documents_sorted`).
CREATE INDEX rect_documents_sort_title ON rect_documents (title, id);
CREATE INDEX rect_documents_sort_kind ON rect_documents (kind, id);
CREATE INDEX rect_documents_sort_unit ON rect_documents (unit_id, id);
CREATE INDEX rect_documents_sort_status ON rect_documents (status, id);
CREATE INDEX rect_documents_sort_submitted ON rect_documents (COALESCE(submitted_on, '9999-12-31'), id);
CREATE INDEX rect_documents_sort_published ON rect_documents (COALESCE(published_on, '9999-12-31'), id);

-- As in SQLite's 0027: the statistics of the tables whose new indexes the lists walk.
ANALYZE mechanisms;
ANALYZE inspectors;
ANALYZE problems;
ANALYZE rect_documents;
