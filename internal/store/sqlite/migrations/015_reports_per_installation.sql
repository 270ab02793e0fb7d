-- Raw reports and error reports: idempotent per installation (issue 18).
-- The key is (installation_num, report_key): a report_id is the sending
-- installation's own retry key, so another installation that uses the
-- same id stores its own report instead of silently cancelling it. It
-- holds the day too, as PostgreSQL's must (its partition key; a retry
-- carries the same timestamp), so that both backends keep one rule. The
-- key's leading installation_num serves the reads by installation, so the
-- installation indexes are gone. The tables are rebuilt (SQLite cannot
-- change a primary key in place), keeping their rows and rowids, which
-- recompute reads in.
CREATE TABLE reports_015 (
    installation_num INTEGER NOT NULL,
    report_key       TEXT NOT NULL,
    day              INTEGER NOT NULL, -- UTC days since 1970-01-01 of ts
    ts               TEXT NOT NULL,
    received_at      TEXT NOT NULL,
    version          TEXT NOT NULL,
    schema_version   INTEGER NOT NULL,
    metrics          TEXT NOT NULL,
    environment      TEXT NOT NULL,
    PRIMARY KEY (installation_num, report_key, day)
);
INSERT INTO reports_015 (rowid, installation_num, report_key, day, ts, received_at, version, schema_version, metrics, environment)
SELECT rowid, installation_num, report_key, day, ts, received_at, version, schema_version, metrics, environment FROM reports;
DROP TABLE reports;
ALTER TABLE reports_015 RENAME TO reports;
CREATE INDEX reports_day ON reports (day);

CREATE TABLE error_reports_015 (
    installation_num INTEGER NOT NULL REFERENCES installations (num) ON DELETE CASCADE,
    report_key       TEXT NOT NULL,
    fingerprint      TEXT NOT NULL,
    day              INTEGER NOT NULL, -- UTC days since 1970-01-01 of ts
    ts               TEXT NOT NULL,
    received_at      TEXT NOT NULL,
    version          TEXT NOT NULL,
    report           TEXT NOT NULL,
    PRIMARY KEY (installation_num, report_key, day)
);
INSERT INTO error_reports_015 (rowid, installation_num, report_key, fingerprint, day, ts, received_at, version, report)
SELECT rowid, installation_num, report_key, fingerprint, day, ts, received_at, version, report FROM error_reports;
DROP TABLE error_reports;
ALTER TABLE error_reports_015 RENAME TO error_reports;
CREATE INDEX error_reports_day ON error_reports (day);
