-- Error reports (docs/errors.md): the PostgreSQL twin of the SQLite
-- tables. Raw reports are scrubbed and kept for the error retention;
-- deleting an installation deletes them (the cascade). report holds the
-- JSON of the scrubbed report.ErrorReport.
CREATE TABLE error_reports (
    report_key       TEXT COLLATE "C" PRIMARY KEY,
    installation_num INTEGER NOT NULL REFERENCES installations (num) ON DELETE CASCADE,
    fingerprint      TEXT COLLATE "C" NOT NULL,
    day              INTEGER NOT NULL, -- UTC days since 1970-01-01 of ts
    ts               TIMESTAMPTZ NOT NULL,
    received_at      TIMESTAMPTZ NOT NULL,
    version          TEXT COLLATE "C" NOT NULL,
    report           JSONB NOT NULL
);
CREATE INDEX error_reports_installation ON error_reports (installation_num);
CREATE INDEX error_reports_day ON error_reports (day);

-- Error groups: one per fingerprint, with the first report as the sample
-- and all-time counts; installs is a roaring bitmap of installation
-- numbers. Raw retention leaves them alone.
CREATE TABLE error_groups (
    fingerprint TEXT COLLATE "C" PRIMARY KEY,
    error_type  TEXT NOT NULL,
    sqlstate    TEXT NOT NULL,
    message     TEXT NOT NULL,
    culprit     TEXT NOT NULL,
    first_seen  TIMESTAMPTZ NOT NULL,
    last_seen   TIMESTAMPTZ NOT NULL,
    reports     BIGINT NOT NULL,
    installs_n  BIGINT NOT NULL,
    installs    BYTEA NOT NULL
);

-- Daily error counters per group and version; kept for the aggregate
-- retention.
CREATE TABLE error_daily (
    day         INTEGER NOT NULL,
    fingerprint TEXT COLLATE "C" NOT NULL,
    version     TEXT COLLATE "C" NOT NULL,
    reports     BIGINT NOT NULL,
    installs_n  BIGINT NOT NULL,
    installs    BYTEA NOT NULL,
    PRIMARY KEY (day, fingerprint, version)
);
CREATE INDEX error_groups_last_seen ON error_groups (last_seen);
