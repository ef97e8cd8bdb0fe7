-- Lock-outs per account and client address. Failed log-ins from one address lock that address
-- out of that account, never the account itself: someone guessing passwords from one place
-- cannot lock the owner (the administrator, say) out from everywhere else. The account-wide
-- counters of `users` are no longer kept.

CREATE TABLE login_locks (
    user_id          TEXT NOT NULL REFERENCES users (id),
    -- The client address; empty when it is not known.
    address          TEXT NOT NULL,
    failures         BIGINT NOT NULL,
    locked_until     TEXT,
    last_failure_at  TEXT NOT NULL,
    PRIMARY KEY (user_id, address)
);
CREATE INDEX login_locks_last_failure ON login_locks (last_failure_at);

UPDATE users SET failed_logins = 0, locked_until = NULL;
