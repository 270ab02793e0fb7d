package postgres

import (
	"fmt"
	"testing"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
	"github.com/indexpilot/indexpilot-telemetry/internal/store/pack"
	"github.com/indexpilot/indexpilot-telemetry/internal/store/storetest"
)

// partitionRows counts the rows of table's partition of day, -1 if it
// has none.
func partitionRows(t *testing.T, s *Store, table string, day rollup.Day) int64 {
	t.Helper()
	name := fmt.Sprintf("%s_d%d", table, day)
	if queryInt(t, s, `SELECT count(*) FROM pg_class WHERE relname = $1`, name) == 0 {
		return -1
	}
	return queryInt(t, s, `SELECT count(*) FROM `+name)
}

// A report of a day that has no partition is stored (in the DEFAULT
// partition), counts, and moves to its own partition at the next
// maintenance; its retry still counts once.
func TestReportWithoutPartitionIsKept(t *testing.T) {
	s := open(t, nil)
	late := storetest.Item(1, 40, 1, "1.0.0") // 40 days before the suite's clock: before today's partitions
	day := rollup.DayOf(late.Time)
	if got := partitionRows(t, s, "reports", day); got != -1 {
		t.Fatalf("partition of day %d exists before any report (%d rows)", day, got)
	}
	if ins := ingestAll(t, s, late); !ins[0] {
		t.Fatal("a report of a day without a partition was not stored")
	}
	if n := queryInt(t, s, `SELECT count(*) FROM reports_default`); n != 1 {
		t.Fatalf("DEFAULT partition holds %d reports, want 1", n)
	}
	if _, err := s.Retain(ctx(t), day-10, day-10); err != nil {
		t.Fatal(err)
	}
	if got := partitionRows(t, s, "reports", day); got != 1 {
		t.Fatalf("the day's partition holds %d reports after maintenance, want 1", got)
	}
	if n := queryInt(t, s, `SELECT count(*) FROM reports_default`); n != 0 {
		t.Fatalf("DEFAULT partition still holds %d reports", n)
	}
	if ins := ingestAll(t, s, late); ins[0] {
		t.Fatal("the retry of a moved report was stored again")
	}
	if n := queryInt(t, s, `SELECT count(*) FROM reports`); n != 1 {
		t.Fatalf("%d reports, want 1", n)
	}
}

// Retention drops the partitions of expired days whole and keeps the
// others, for reports and error reports.
func TestRetainDropsPartitions(t *testing.T) {
	s := open(t, nil)
	today := rollup.DayOf(storetest.Now)
	if err := s.PreparePartitions(ctx(t), today-3, today); err != nil {
		t.Fatal(err)
	}
	ingestAll(t, s, storetest.Item(1, 3, 1, "1.0.0"), storetest.Item(2, 3, 2, "1.0.0"), storetest.Item(1, 2, 3, "1.0.0"), storetest.Item(1, 0, 4, "1.0.0"))
	for _, it := range []store.ErrorItem{storetest.ErrorItem(1, 3, 1, "fp", "1.0.0"), storetest.ErrorItem(1, 0, 2, "fp", "1.0.0")} {
		if _, err := s.IngestError(ctx(t), it); err != nil {
			t.Fatal(err)
		}
	}
	n, err := s.Retain(ctx(t), today-2, today-10)
	if err != nil || n != 2 {
		t.Fatalf("Retain = %d, %v; want the 2 reports of day -3", n, err)
	}
	if got := partitionRows(t, s, "reports", today-3); got != -1 {
		t.Fatalf("expired partition kept, %d rows", got)
	}
	if got := partitionRows(t, s, "reports", today-2); got != 1 {
		t.Fatalf("partition of day -2 holds %d reports, want 1", got)
	}
	if n, err := s.RetainErrors(ctx(t), today-1, today-10); err != nil || n != 1 {
		t.Fatalf("RetainErrors = %d, %v; want 1", n, err)
	}
	if got := partitionRows(t, s, "error_reports", today-3); got != -1 {
		t.Fatalf("expired error partition kept, %d rows", got)
	}
	if n := queryInt(t, s, `SELECT count(*) FROM error_reports`); n != 1 {
		t.Fatalf("%d error reports left, want 1", n)
	}
}

func ingestAll(t *testing.T, s *Store, items ...store.Item) []bool {
	t.Helper()
	ins, err := s.Ingest(ctx(t), items)
	if err != nil {
		t.Fatal(err)
	}
	return ins
}

// Migration 015 keeps the reports and error reports stored before it, in
// the order an existing database applies it: after every other one.
func TestMigration015KeepsData(t *testing.T) {
	s := open(t, nil)
	ctx := ctx(t)
	// Undo 015 into the old layout, with rows, then apply it again.
	if _, err := s.pool.Exec(ctx, `
		DROP TABLE reports, error_reports;
		CREATE TABLE reports (
			report_key TEXT COLLATE "C" PRIMARY KEY, installation_num INTEGER NOT NULL, day INTEGER NOT NULL,
			ts TIMESTAMPTZ NOT NULL, received_at TIMESTAMPTZ NOT NULL, version TEXT NOT NULL,
			schema_version INTEGER NOT NULL, metrics JSONB NOT NULL, environment JSONB NOT NULL);
		CREATE INDEX reports_installation ON reports (installation_num);
		CREATE INDEX reports_day ON reports (day);
		CREATE TABLE error_reports (
			report_key TEXT COLLATE "C" PRIMARY KEY,
			installation_num INTEGER NOT NULL REFERENCES installations (num) ON DELETE CASCADE,
			fingerprint TEXT COLLATE "C" NOT NULL, day INTEGER NOT NULL, ts TIMESTAMPTZ NOT NULL,
			received_at TIMESTAMPTZ NOT NULL, version TEXT COLLATE "C" NOT NULL, report JSONB NOT NULL);
		CREATE INDEX error_reports_installation ON error_reports (installation_num);
		CREATE INDEX error_reports_day ON error_reports (day);
		INSERT INTO installations (installation_id, created_at) VALUES ('inst-a', now());
		INSERT INTO reports SELECT 'k' || d, 1, d, now(), now(), '1.0.0', 3, '{"indexes_created": 1}', '{}'
			FROM generate_series(20000, 20002) d;
		INSERT INTO error_reports VALUES ('e1', 1, 'fp', 20001, now(), now(), '1.0.0', '{}');
		DELETE FROM schema_migrations WHERE version = 15`); err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	for d := rollup.Day(20000); d <= 20002; d++ {
		if got := partitionRows(t, s, "reports", d); got != 1 {
			t.Fatalf("partition of day %d holds %d reports, want 1", d, got)
		}
	}
	if got := partitionRows(t, s, "error_reports", 20001); got != 1 {
		t.Fatalf("error partition holds %d reports, want 1", got)
	}
	if n := queryInt(t, s, `SELECT count(*) FROM reports WHERE installation_num = 1 AND metrics->>'indexes_created' = '1'`); n != 3 {
		t.Fatalf("%d reports kept, want 3", n)
	}
}

// Migrations 016 and 017 keep the reports stored before them: their
// documents as JSON text (pack.FormatJSON), which every reader reads
// beside packed ones, their keys in pack.Key's form, so that a retry still
// conflicts.
func TestMigrations016And017KeepData(t *testing.T) {
	s := open(t, nil)
	ctx := ctx(t)
	keys := []string{"0f8e2a4c-1b3d-4e5f-8a9b-0c1d2e3f4a5b", "sha256:00112233445566778899aabbccddeeff", "k-other"}
	// Undo 016 and 017, with rows in the former layout, then apply them again.
	if _, err := s.pool.Exec(ctx, `
		ALTER TABLE reports ALTER COLUMN metrics TYPE JSONB USING NULL,
			ALTER COLUMN environment TYPE JSONB USING NULL,
			ALTER COLUMN report_key TYPE TEXT COLLATE "C" USING NULL;
		INSERT INTO installations (installation_id, created_at) VALUES ('inst-a', now());
		DELETE FROM schema_migrations WHERE version IN (16, 17)`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.pool.Exec(ctx, `INSERT INTO reports (installation_num, day, ts, received_at, schema_version, report_key, version, metrics, environment)
		SELECT 1, 20000 + k.n, now(), now(), 3, k.key, '1.0.0',
			'{"indexes_created": 1, "features_used": ["auto_indexing"], "experiments": {"e": "b"}}',
			'{"os": "linux", "cpu_cores": 4}'
		FROM unnest($1::text[]) WITH ORDINALITY AS k(key, n)`, keys); err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	raws, err := reportsOf(ctx, s.pool, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(raws) != 3 {
		t.Fatalf("%d reports kept, want 3", len(raws))
	}
	for _, r := range raws {
		c, err := r.Contribution("inst-a")
		if err != nil {
			t.Fatal(err)
		}
		m, e := c.Report.Metrics, c.Report.Environment
		if m.IndexesCreated != 1 || len(m.FeaturesUsed) != 1 || m.FeaturesUsed[0] != "auto_indexing" ||
			m.Experiments["e"] != "b" || e.OS != "linux" || e.CPUCores != 4 || r.Key != keys[r.Day-20001] {
			t.Errorf("report %s of day %d reads back as %+v, %+v", r.Key, r.Day, m, e)
		}
		if n := queryInt(t, s, `SELECT count(*) FROM reports WHERE report_key = $1`, pack.Key(r.Key)); n != 1 {
			t.Errorf("key %s: %d rows under its stored form, want 1", r.Key, n)
		}
	}
	units, err := s.ExperimentUnitDays(ctx, store.ExperimentQuery{Name: "e", Metric: store.MetricIndexesCreated, From: 20001, To: 20003})
	if err != nil {
		t.Fatal(err)
	}
	if len(units) != 3 || units[0].Variant != "b" || units[0].Sum != 1 || units[0].N != 1 {
		t.Errorf("experiment units of the converted reports: %+v", units)
	}
}
