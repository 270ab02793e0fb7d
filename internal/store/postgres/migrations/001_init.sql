-- The PostgreSQL twin of the SQLite schema: same tables and columns.
-- Text keys use the "C" collation so that ORDER BY sorts bytes, like Go's
-- string comparison and SQLite: rollup rows are locked in rollup.Key
-- order, and reads list them in the same order on both backends.

-- Installations: registered ones carry the hash of their key; ones that
-- only a fleet key reported have none. num is the dense number the rollup
-- bitmaps hold; an identity is never reused, since old bitmaps hold it.
CREATE TABLE installations (
    num             INTEGER GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    installation_id TEXT COLLATE "C" NOT NULL UNIQUE,
    key_id          TEXT COLLATE "C" UNIQUE,
    key_hash        BYTEA,
    created_at      TIMESTAMPTZ NOT NULL
);

-- Operator secrets, stored as SHA-256 of their secret part.
CREATE TABLE keys (
    id         TEXT COLLATE "C" PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('admin', 'fleet')),
    name       TEXT NOT NULL,
    hash       BYTEA NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ
);

-- Raw reports: the validated, allow-listed fields only. report_key is the
-- idempotency key, so a retried report is stored once.
CREATE TABLE reports (
    report_key       TEXT COLLATE "C" PRIMARY KEY,
    installation_num INTEGER NOT NULL,
    day              INTEGER NOT NULL, -- UTC days since 1970-01-01 of ts
    ts               TIMESTAMPTZ NOT NULL,
    received_at      TIMESTAMPTZ NOT NULL,
    version          TEXT NOT NULL,
    schema_version   INTEGER NOT NULL,
    metrics          JSONB NOT NULL,
    environment      JSONB NOT NULL
);
CREATE INDEX reports_installation ON reports (installation_num);
CREATE INDEX reports_day ON reports (day);

-- Daily rollups; see package rollup. Sums are fixed-point integers. Every
-- ingest rewrites its rows in place, so pages keep room for HOT updates.
CREATE TABLE rollups (
    day                 INTEGER NOT NULL,
    dim                 TEXT COLLATE "C" NOT NULL,
    key                 TEXT COLLATE "C" NOT NULL,
    reports             BIGINT NOT NULL,
    total               BIGINT NOT NULL,
    indexes_created     BIGINT NOT NULL,
    indexes_recommended BIGINT NOT NULL,
    queries_analyzed    BIGINT NOT NULL,
    perf_sum            BIGINT NOT NULL,
    perf_n              BIGINT NOT NULL,
    error_reports       BIGINT NOT NULL,
    errors              BIGINT NOT NULL,
    lat_p50_sum         BIGINT NOT NULL,
    lat_p95_sum         BIGINT NOT NULL,
    lat_p99_sum         BIGINT NOT NULL,
    lat_n               BIGINT NOT NULL,
    installs_n          BIGINT NOT NULL,
    installs            BYTEA NOT NULL,
    PRIMARY KEY (day, dim, key)
) WITH (fillfactor = 70);
