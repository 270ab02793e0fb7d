-- Pending rollup deltas: each ingest batch appends the sums of its new
-- reports here instead of rewriting the rollup rows, so concurrent batches
-- never wait for one another's row locks. Compaction folds them into
-- rollups under an advisory lock; reads add them. No index: the table
-- holds about a second of traffic and is read whole.
CREATE TABLE rollup_deltas (
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
    installs            BYTEA NOT NULL
);
