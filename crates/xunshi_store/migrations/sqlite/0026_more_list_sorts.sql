-- The account and unit lists sort by their columns (tx.rs `users_sorted`, `units_sorted`),
-- keyset-paged under every sort as the inspection and clue lists are (0025): each order is a
-- walk of an index over (the key, id), in either direction. An account of no unit sorts before
-- every unit, by the same expression the statement orders by.
CREATE INDEX users_sort_username ON users (username, id);
CREATE INDEX users_sort_name ON users (display_name, id);
CREATE INDEX users_sort_unit ON users (COALESCE(unit_id, ''), id);
CREATE INDEX users_sort_status ON users (disabled, id);
CREATE INDEX units_sort_name ON units (name, id);
CREATE INDEX units_sort_kind ON units (kind, id);
CREATE INDEX units_sort_level ON units (level, id);
CREATE INDEX units_sort_status ON units (withdrawn, id);

-- The audit trail sorts by actor, action and kind of object, each key's records in sequence
-- order (tx.rs `audit_sorted`); actor and action walk the indexes of 0001, over (key, seq).
CREATE INDEX audit_log_sort_object_type ON audit_log (object_type, seq);

-- An inbox sorts by kind and title as well as by time (tx/messages.rs `messages_sorted`),
-- each a walk of the recipient's messages over (key, id).
CREATE INDEX messages_sort_kind ON messages (user_id, kind, id);
CREATE INDEX messages_sort_title ON messages (user_id, title, id);

-- The follow-up notices sort by day issued, answer deadline (none after every day), kind,
-- unit and document number (tx/supervise.rs `followups_sorted`).
CREATE INDEX followups_sort_issued ON followups (issued_on, id);
CREATE INDEX followups_sort_due ON followups (COALESCE(answer_due, '9999-12-31'), id);
CREATE INDEX followups_sort_kind ON followups (kind, id);
CREATE INDEX followups_sort_unit ON followups (unit_id, id);
CREATE INDEX followups_sort_doc_no ON followups (doc_no, id);

-- The accountability records sort by person, form, day decided and unit
-- (tx/supervise.rs `accountability_sorted`).
CREATE INDEX accountability_sort_person ON accountability (person, id);
CREATE INDEX accountability_sort_form ON accountability (form, id);
CREATE INDEX accountability_sort_decided ON accountability (decided_on, id);
CREATE INDEX accountability_sort_unit ON accountability (unit_id, id);

-- The planner's statistics of the new indexes over every row, as 0025 gathers them: left to
-- the sampled `PRAGMA optimize`, a new index over (kind, id) could be priced above the
-- (kind, answered_on) index the dashboard counts the notices from. The audit trail is left to
-- `optimize`: a full pass over millions of records would hold the upgrade for seconds.
ANALYZE users;
ANALYZE units;
ANALYZE messages;
ANALYZE followups;
ANALYZE accountability;
