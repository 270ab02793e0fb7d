-- The sent ledger (store/ledger.go): one row per message key that was
-- claimed or sent (alerts, weekly reports), so each goes out once across
-- restarts and processes. Times are RFC 3339 UTC text with a fixed-width
-- fraction, so they compare as text.
CREATE TABLE sent_ledger (
    key        TEXT PRIMARY KEY,
    kind       TEXT NOT NULL,
    first_sent TEXT,          -- NULL until sent
    last_sent  TEXT,
    sends      INTEGER NOT NULL DEFAULT 0,
    claimed_at TEXT           -- a sender's claim; NULL when none
) WITHOUT ROWID;
