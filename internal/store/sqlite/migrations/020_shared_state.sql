-- The SQLite twin of PostgreSQL's 020: erased installations, admin
-- sessions, and the changes other processes must not go on caching. SQLite
-- has no notifications: triggers append to changes, which a watching
-- process reads a few times a second (sqlite/changes.go). One serve
-- process per file is the supported shape; this makes a `keys revoke` run
-- beside it take effect at once.

CREATE TABLE erased_installations (
    installation_id TEXT PRIMARY KEY,
    erased_at       TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE sessions (
    hash       BLOB PRIMARY KEY,
    key_id     TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_expires ON sessions (expires_at);

-- kind and id as in PostgreSQL's notifications; at is Unix seconds, for
-- pruning.
CREATE TABLE changes (
    seq  INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    id   TEXT NOT NULL,
    at   INTEGER NOT NULL
);

CREATE TRIGGER installations_erased AFTER DELETE ON installations
BEGIN
    INSERT OR IGNORE INTO erased_installations (installation_id, erased_at)
        VALUES (OLD.installation_id, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
    INSERT INTO changes (kind, id, at)
        VALUES ('installation', coalesce(OLD.key_id, '') || ' ' || OLD.installation_id, unixepoch());
END;

CREATE TRIGGER installations_not_erased BEFORE INSERT ON installations
WHEN EXISTS (SELECT 1 FROM erased_installations WHERE installation_id = NEW.installation_id)
BEGIN
    SELECT RAISE(ABORT, 'an erased installation cannot be created again');
END;

CREATE TRIGGER keys_revoked AFTER UPDATE OF revoked_at ON keys
WHEN OLD.revoked_at IS NULL AND NEW.revoked_at IS NOT NULL
BEGIN
    INSERT INTO changes (kind, id, at) VALUES ('key', NEW.id, unixepoch());
END;

CREATE TRIGGER sessions_ended AFTER DELETE ON sessions
BEGIN
    INSERT INTO changes (kind, id, at) VALUES ('session', lower(hex(OLD.hash)), unixepoch());
END;
