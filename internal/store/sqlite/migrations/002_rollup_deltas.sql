-- Pending rollup deltas: each ingest batch appends the sums of its new
-- reports here instead of rewriting the rollup rows, so batches never wait
-- for one another. Compaction folds them into rollups; reads add them.
CREATE TABLE rollup_deltas (
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
    installs            BLOB NOT NULL
);
