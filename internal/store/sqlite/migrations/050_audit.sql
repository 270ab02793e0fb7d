-- The audit log (issue 16): operator exports and erasures, key creation
-- and revocation, admin sign-ins. Keys appear by id and name, never by
-- secret or hash. The service only appends; these triggers refuse every
-- change of a row, so removing an entry takes a deliberate schema change.
CREATE TABLE audit_log (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    at              TEXT NOT NULL,
    actor           TEXT NOT NULL,
    actor_key_id    TEXT NOT NULL DEFAULT '',
    action          TEXT NOT NULL,
    installation_id TEXT NOT NULL DEFAULT '',
    key_id          TEXT NOT NULL DEFAULT '',
    detail          TEXT NOT NULL DEFAULT ''
);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
