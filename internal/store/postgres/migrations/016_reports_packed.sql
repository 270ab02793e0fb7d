-- Reports' metrics and environment packed (issue 18, storage per report).
--
-- Their JSONB took 807 B and 154 B of an average report, more than their
-- JSON text, and rows stay under the 2 kB above which PostgreSQL would
-- compress them. The service now stores both as package pack's values:
-- a format byte, then the JSON deflated with a preset dictionary of
-- typical reports (format 1), about 100 B together; every reader unpacks
-- them in Go (package postgres, scanRaw).
--
-- SQL cannot deflate, so the rows stored before this migration keep
-- their documents as JSON text (format 0), which every reader also
-- reads: no data changes, only its encoding; they leave with retention.
ALTER TABLE reports
    ALTER COLUMN metrics TYPE BYTEA USING '\x00'::bytea || convert_to(metrics::text, 'UTF8'),
    ALTER COLUMN environment TYPE BYTEA USING '\x00'::bytea || convert_to(environment::text, 'UTF8');
