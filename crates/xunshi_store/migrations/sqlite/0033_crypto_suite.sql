-- The hash the audit chain's records carry: 'sha256', or 'sm3' under the national cryptography
-- option (商用密码). Read with the head by every writer, so a record is always chained under the
-- hash its chain carries, and changed only by a switch that hashes the whole chain again.
ALTER TABLE audit_head ADD COLUMN algorithm TEXT NOT NULL DEFAULT 'sha256';
