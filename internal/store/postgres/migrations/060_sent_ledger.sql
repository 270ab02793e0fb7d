-- The sent ledger (store/ledger.go): one row per message key that was
-- claimed or sent (alerts, weekly reports), so each goes out once across
-- restarts and processes.
CREATE TABLE sent_ledger (
    key        TEXT COLLATE "C" PRIMARY KEY,
    kind       TEXT COLLATE "C" NOT NULL,
    first_sent TIMESTAMPTZ,          -- NULL until sent
    last_sent  TIMESTAMPTZ,
    sends      BIGINT NOT NULL DEFAULT 0,
    claimed_at TIMESTAMPTZ           -- a sender's claim; NULL when none
);
