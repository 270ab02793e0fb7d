-- Pending rollup deltas, one row per ingest batch: the batch's delta rows
-- encoded by rollup.AppendRows. One row instead of one per (day, dim, key)
-- cut the WAL and the work of each batch and of compaction (BENCHMARKS.md).
-- Read whole and deleted by compaction, so no index. Blobs stay inline
-- and uncompressed up to a page: out-of-line or pglz work would only add
-- to every batch.
CREATE TABLE rollup_delta_batches (
    rows BYTEA NOT NULL
) WITH (toast_tuple_target = 8160);
ALTER TABLE rollup_delta_batches ALTER COLUMN rows SET STORAGE EXTERNAL;

-- rollup_deltas keeps only what was pending when a server of an earlier
-- version stopped; compaction drains it like the new table.
COMMENT ON TABLE rollup_deltas IS 'pending deltas written before migration 006; drained by compaction';
