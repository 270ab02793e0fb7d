-- Feature usage (metrics.feature_usage, schema version 3): the rows of the
-- "usage" dimension count each feature's uses in total and its successes
-- here, with the sums of squares and products of each report's uses and
-- successes that give the success rate an interval. Other rows hold 0.
ALTER TABLE rollups ADD COLUMN usage_successes BIGINT NOT NULL DEFAULT 0;
ALTER TABLE rollups ADD COLUMN usage_uses_sq BIGINT NOT NULL DEFAULT 0;
ALTER TABLE rollups ADD COLUMN usage_cross BIGINT NOT NULL DEFAULT 0;
ALTER TABLE rollups ADD COLUMN usage_successes_sq BIGINT NOT NULL DEFAULT 0;
ALTER TABLE IF EXISTS rollup_deltas ADD COLUMN usage_successes BIGINT NOT NULL DEFAULT 0;
ALTER TABLE IF EXISTS rollup_deltas ADD COLUMN usage_uses_sq BIGINT NOT NULL DEFAULT 0;
ALTER TABLE IF EXISTS rollup_deltas ADD COLUMN usage_cross BIGINT NOT NULL DEFAULT 0;
ALTER TABLE IF EXISTS rollup_deltas ADD COLUMN usage_successes_sq BIGINT NOT NULL DEFAULT 0;
-- (IF EXISTS: on a database created after migration 010, rollup_deltas is
-- gone by the time this runs.)
