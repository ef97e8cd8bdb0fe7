-- Idempotent submissions. A form or an API call that creates something carries a key (the
-- form's hidden `_idem`, the API's `Idempotency-Key`); the service's write transaction
-- records the key with the record it created, so one is never kept without the other, and a
-- repeat of the same key by the same account for the same address gets the first answer
-- instead of a second record. The answer itself is noted just after the commit. Keys older
-- than a day are purged by the periodic upkeep.

CREATE TABLE submissions (
    user_id       TEXT NOT NULL REFERENCES users (id),
    idem_key      TEXT NOT NULL,
    -- The method and path the key was sent to: one key names one form of one page.
    route         TEXT NOT NULL,
    -- Which request of that key made the record (a fresh random value per request).
    nonce         TEXT NOT NULL,
    -- The audit trail's object of the first record the transaction wrote.
    object_type   TEXT NOT NULL,
    object_id     TEXT,
    created_at    TEXT NOT NULL,
    -- The first answer, noted after the commit; NULL while it is not yet known.
    status        BIGINT,
    location      TEXT,
    content_type  TEXT,
    body          TEXT,
    PRIMARY KEY (user_id, idem_key, route)
);
CREATE INDEX submissions_created_at ON submissions (created_at);
