-- A/B experiment summaries (schema version 2 reports): sums that pool
-- each variant's count, mean and variance exactly across reports.
ALTER TABLE rollups ADD COLUMN ab_sum INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollups ADD COLUMN ab_sumsq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollup_deltas ADD COLUMN ab_sum INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollup_deltas ADD COLUMN ab_sumsq INTEGER NOT NULL DEFAULT 0;
