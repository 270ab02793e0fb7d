-- Raw reports and error reports: idempotent per installation, and
-- partitioned by day (issue 18).
--
-- The idempotency key is (installation_num, report_key): a report_id is
-- the sending installation's own retry key, so another installation that
-- uses the same id stores its own report instead of silently cancelling
-- it. The primary key also holds day, because a unique index of a
-- partitioned table must hold its partition key. That keeps it exact: a
-- retry carries the same timestamp (the client resends the same report),
-- so it falls on the same day, into the same partition, and conflicts.
--
-- Range partitions of one UTC day each, so that retention drops a day's
-- partition instead of deleting its rows, which left dead tuples for
-- vacuum and cost time proportional to the rows. The service creates
-- partitions ahead of time (package postgres, partitions.go); a report
-- of a day without one lands in the DEFAULT partition, so none is ever
-- refused, and the maintenance moves such rows to their day's partition.
--
-- The primary key's leading installation_num serves the reads by
-- installation (export, erase), so the former installation and day
-- indexes are gone: the day is the partition, and every index entry
-- costs bytes per report. Fixed-width columns come first, where their
-- alignment wastes nothing.
ALTER TABLE reports RENAME TO reports_unpartitioned;
ALTER INDEX reports_pkey RENAME TO reports_unpartitioned_pkey;
DROP INDEX reports_installation;
DROP INDEX reports_day;

CREATE TABLE reports (
    installation_num INTEGER NOT NULL,
    day              INTEGER NOT NULL, -- UTC days since 1970-01-01 of ts
    ts               TIMESTAMPTZ NOT NULL,
    received_at      TIMESTAMPTZ NOT NULL,
    schema_version   INTEGER NOT NULL,
    report_key       TEXT COLLATE "C" NOT NULL,
    version          TEXT NOT NULL,
    metrics          JSONB NOT NULL,
    environment      JSONB NOT NULL,
    PRIMARY KEY (installation_num, report_key, day)
) PARTITION BY RANGE (day);
CREATE TABLE reports_default PARTITION OF reports DEFAULT;

ALTER TABLE error_reports RENAME TO error_reports_unpartitioned;
ALTER TABLE error_reports_unpartitioned DROP CONSTRAINT error_reports_installation_num_fkey;
ALTER INDEX error_reports_pkey RENAME TO error_reports_unpartitioned_pkey;
DROP INDEX error_reports_installation;
DROP INDEX error_reports_day;

CREATE TABLE error_reports (
    installation_num INTEGER NOT NULL REFERENCES installations (num) ON DELETE CASCADE,
    day              INTEGER NOT NULL, -- UTC days since 1970-01-01 of ts
    ts               TIMESTAMPTZ NOT NULL,
    received_at      TIMESTAMPTZ NOT NULL,
    report_key       TEXT COLLATE "C" NOT NULL,
    fingerprint      TEXT COLLATE "C" NOT NULL,
    version          TEXT COLLATE "C" NOT NULL,
    report           JSONB NOT NULL,
    PRIMARY KEY (installation_num, report_key, day)
) PARTITION BY RANGE (day);
CREATE TABLE error_reports_default PARTITION OF error_reports DEFAULT;

-- One partition per day that has rows, named as partitions.go names them.
DO $$
DECLARE
    t text;
    d integer;
BEGIN
    FOREACH t IN ARRAY ARRAY['reports', 'error_reports'] LOOP
        FOR d IN EXECUTE format('SELECT DISTINCT day FROM %I', t || '_unpartitioned') LOOP
            EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%s) TO (%s)',
                t || '_d' || d, t, d, d + 1);
        END LOOP;
    END LOOP;
END $$;

INSERT INTO reports (installation_num, day, ts, received_at, schema_version, report_key, version, metrics, environment)
SELECT installation_num, day, ts, received_at, schema_version, report_key, version, metrics, environment
FROM reports_unpartitioned;
DROP TABLE reports_unpartitioned;

INSERT INTO error_reports (installation_num, day, ts, received_at, report_key, fingerprint, version, report)
SELECT installation_num, day, ts, received_at, report_key, fingerprint, version, report
FROM error_reports_unpartitioned;
DROP TABLE error_reports_unpartitioned;
