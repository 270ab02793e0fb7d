-- Rollup bitmaps are read on every dashboard request and mostly do not
-- compress (bitmap containers of scattered installation numbers): storing
-- them out of line but uncompressed spares PostgreSQL the pglz work.
-- Measured on 1M reports: GET /api/v1/dashboard/stats p95 50.6 -> 42.5 ms,
-- the rollups table 6.5 -> 15 MB (BENCHMARKS.md).
ALTER TABLE rollups ALTER COLUMN installs SET STORAGE EXTERNAL;
