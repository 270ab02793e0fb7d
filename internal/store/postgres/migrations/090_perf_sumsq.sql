-- Sums of squared performance improvements, so that insights can give the
-- average improvement an interval. Rows written before this migration hold
-- 0; `indexpilot-analytics recompute` rebuilds the days whose raw reports
-- are kept.
ALTER TABLE rollups ADD COLUMN perf_sum_sq BIGINT NOT NULL DEFAULT 0;
ALTER TABLE IF EXISTS rollup_deltas ADD COLUMN perf_sum_sq BIGINT NOT NULL DEFAULT 0;
-- (IF EXISTS: migration 010 drops rollup_deltas before this on a new
-- database.)
