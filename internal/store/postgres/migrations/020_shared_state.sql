-- What every serve process on this database must agree on, kept here
-- rather than in any process's memory (issue 18): erased installations,
-- admin sessions, and a notification for each change that processes cache.

-- An erased installation leaves its id here, nothing else: no process may
-- accept its reports or create it again (a report of a fleet key, or one
-- already in flight, would otherwise re-create it without a key, out of its
-- owner's reach). The id is the random one the service gave it.
CREATE TABLE erased_installations (
    installation_id TEXT COLLATE "C" PRIMARY KEY,
    erased_at       TIMESTAMPTZ NOT NULL
);

-- Admin sessions of the dashboard. hash is the SHA-256 of the cookie's
-- secret, never the secret; key_id is the admin key signed in with, or
-- "config:" and a tag of the configured admin token.
CREATE TABLE sessions (
    hash       BYTEA PRIMARY KEY,
    key_id     TEXT COLLATE "C" NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- Notifications on channel indexpilot_changes, sent when the transaction
-- commits, one per change that a process may have cached:
--   "key ID"                          an operator key was revoked
--   "installation KEY_ID INSTALLATION" an installation was erased
--   "session HASH_HEX"                a session ended
-- Triggers send them, so every writer (the service, the keys command, a
-- person with psql) is covered.
CREATE FUNCTION notify_change(kind TEXT, id TEXT) RETURNS void LANGUAGE sql AS $$
    SELECT pg_notify('indexpilot_changes', kind || ' ' || id)
$$;

CREATE FUNCTION installation_erased() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO erased_installations (installation_id, erased_at)
        VALUES (OLD.installation_id, now()) ON CONFLICT DO NOTHING;
    PERFORM notify_change('installation', coalesce(OLD.key_id, '') || ' ' || OLD.installation_id);
    RETURN OLD;
END $$;
CREATE TRIGGER installations_erased AFTER DELETE ON installations
    FOR EACH ROW EXECUTE FUNCTION installation_erased();

-- Creating an erased installation again fails its whole transaction (the
-- service refuses such reports before they reach a batch; this is the
-- guard for a report already in flight when the erasure committed).
CREATE FUNCTION installation_not_erased() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM erased_installations WHERE installation_id = NEW.installation_id) THEN
        RAISE EXCEPTION 'an erased installation cannot be created again' USING ERRCODE = 'IP410';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER installations_not_erased BEFORE INSERT ON installations
    FOR EACH ROW EXECUTE FUNCTION installation_not_erased();

CREATE FUNCTION key_revoked() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM notify_change('key', NEW.id);
    RETURN NEW;
END $$;
CREATE TRIGGER keys_revoked AFTER UPDATE OF revoked_at ON keys
    FOR EACH ROW WHEN (OLD.revoked_at IS NULL AND NEW.revoked_at IS NOT NULL)
    EXECUTE FUNCTION key_revoked();

CREATE FUNCTION session_ended() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM notify_change('session', encode(OLD.hash, 'hex'));
    RETURN OLD;
END $$;
CREATE TRIGGER sessions_ended AFTER DELETE ON sessions
    FOR EACH ROW EXECUTE FUNCTION session_ended();
