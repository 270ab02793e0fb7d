-- Error reports (docs/errors.md). Raw reports are scrubbed and kept for the
-- error retention; deleting an installation deletes them (the cascade).
-- report holds the JSON of the scrubbed report.ErrorReport.
CREATE TABLE error_reports (
    report_key       TEXT PRIMARY KEY,
    installation_num INTEGER NOT NULL REFERENCES installations (num) ON DELETE CASCADE,
    fingerprint      TEXT NOT NULL,
    day              INTEGER NOT NULL, -- UTC days since 1970-01-01 of ts
    ts               TEXT NOT NULL,
    received_at      TEXT NOT NULL,
    version          TEXT NOT NULL,
    report           TEXT NOT NULL
);
CREATE INDEX error_reports_installation ON error_reports (installation_num);
CREATE INDEX error_reports_day ON error_reports (day);

-- Error groups: one per fingerprint, with the first report as the sample
-- and all-time counts; installs is a roaring bitmap of installation
-- numbers. Raw retention leaves them alone.
CREATE TABLE error_groups (
    fingerprint TEXT PRIMARY KEY,
    error_type  TEXT NOT NULL,
    sqlstate    TEXT NOT NULL,
    message     TEXT NOT NULL,
    culprit     TEXT NOT NULL,
    first_seen  TEXT NOT NULL,
    last_seen   TEXT NOT NULL,
    reports     INTEGER NOT NULL,
    installs_n  INTEGER NOT NULL,
    installs    BLOB NOT NULL
) WITHOUT ROWID;

-- Daily error counters per group and version; kept for the aggregate
-- retention.
CREATE TABLE error_daily (
    day         INTEGER NOT NULL,
    fingerprint TEXT NOT NULL,
    version     TEXT NOT NULL,
    reports     INTEGER NOT NULL,
    installs_n  INTEGER NOT NULL,
    installs    BLOB NOT NULL,
    PRIMARY KEY (day, fingerprint, version)
) WITHOUT ROWID;
