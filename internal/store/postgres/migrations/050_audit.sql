-- The audit log (issue 16): operator exports and erasures, key creation
-- and revocation, admin sign-ins. Keys appear by id and name, never by
-- secret or hash. The service only appends; the triggers refuse every
-- change of a row and TRUNCATE, so removing an entry takes a deliberate
-- schema change.
CREATE TABLE audit_log (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at              TIMESTAMPTZ NOT NULL,
    actor           TEXT NOT NULL,
    actor_key_id    TEXT NOT NULL DEFAULT '',
    action          TEXT NOT NULL,
    installation_id TEXT NOT NULL DEFAULT '',
    key_id          TEXT NOT NULL DEFAULT '',
    detail          TEXT NOT NULL DEFAULT ''
);
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END
$$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
