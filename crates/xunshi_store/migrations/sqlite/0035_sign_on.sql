-- Log-in attempts per client address and minute, counted here rather than in one process's
-- memory, so that instances behind a load balancer hold an address to one limit between
-- them. Rows older than a few minutes are purged by the upkeep job.
CREATE TABLE login_attempts (
    address      TEXT NOT NULL,
    window_start TEXT NOT NULL,
    attempts     BIGINT NOT NULL,
    PRIMARY KEY (address, window_start)
);

-- Sign-ons through the organisation's OpenID provider under way, keyed by a hash of the
-- state the browser carries (in a cookie and back in the provider's redirect): the nonce and
-- PKCE verifier the answer must match, and where to go after. Each is taken once. A sign-on
-- the provider vouched for whose account has a second factor keeps the person's name here
-- until the code is given, so the code's form can never name another account.
CREATE TABLE sign_ons (
    state_hash  TEXT PRIMARY KEY,
    nonce       TEXT NOT NULL,
    verifier    TEXT NOT NULL,
    next        TEXT NOT NULL,
    vouched     TEXT,
    expires_at  TEXT NOT NULL
);
CREATE INDEX sign_ons_expiry ON sign_ons (expires_at);
