-- Installations: registered ones carry the hash of their key; ones that
-- only a fleet key reported have none. num is the dense number the rollup
-- bitmaps hold.
CREATE TABLE installations (
    num             INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused: old bitmaps hold it
    installation_id TEXT NOT NULL UNIQUE,
    key_id          TEXT UNIQUE,
    key_hash        BLOB,
    created_at      TEXT NOT NULL
);

-- Operator secrets, stored as SHA-256 of their secret part.
CREATE TABLE keys (
    id         TEXT PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('admin', 'fleet')),
    name       TEXT NOT NULL,
    hash       BLOB NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);

-- Raw reports: the validated, allow-listed fields only. report_key is the
-- idempotency key, so a retried report is stored once.
CREATE TABLE reports (
    report_key       TEXT PRIMARY KEY,
    installation_num INTEGER NOT NULL,
    day              INTEGER NOT NULL, -- UTC days since 1970-01-01 of ts
    ts               TEXT NOT NULL,
    received_at      TEXT NOT NULL,
    version          TEXT NOT NULL,
    schema_version   INTEGER NOT NULL,
    metrics          TEXT NOT NULL,
    environment      TEXT NOT NULL
);
CREATE INDEX reports_installation ON reports (installation_num);
CREATE INDEX reports_day ON reports (day);

-- Daily rollups; see package rollup. Sums are fixed-point integers.
CREATE TABLE rollups (
    day                 INTEGER NOT NULL,
    dim                 TEXT NOT NULL,
    key                 TEXT NOT NULL,
    reports             INTEGER NOT NULL,
    total               INTEGER NOT NULL,
    indexes_created     INTEGER NOT NULL,
    indexes_recommended INTEGER NOT NULL,
    queries_analyzed    INTEGER NOT NULL,
    perf_sum            INTEGER NOT NULL,
    perf_n              INTEGER NOT NULL,
    error_reports       INTEGER NOT NULL,
    errors              INTEGER NOT NULL,
    lat_p50_sum         INTEGER NOT NULL,
    lat_p95_sum         INTEGER NOT NULL,
    lat_p99_sum         INTEGER NOT NULL,
    lat_n               INTEGER NOT NULL,
    installs_n          INTEGER NOT NULL,
    installs            BLOB NOT NULL,
    PRIMARY KEY (day, dim, key)
) WITHOUT ROWID;
