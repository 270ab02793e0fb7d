package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/indexpilot/indexpilot-telemetry/internal/store/sqlite"
)

// Migration 015 keeps the reports and error reports stored before it, in
// the order an existing database applies it: after every other one.
func TestMigration015KeepsData(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "analytics.db")
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	s.Close()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	// Undo 015 into the old layout, with rows, then apply it again.
	_, err = db.ExecContext(ctx, `
		DROP TABLE reports; DROP TABLE error_reports;
		CREATE TABLE reports (report_key TEXT PRIMARY KEY, installation_num INTEGER NOT NULL, day INTEGER NOT NULL,
			ts TEXT NOT NULL, received_at TEXT NOT NULL, version TEXT NOT NULL, schema_version INTEGER NOT NULL,
			metrics TEXT NOT NULL, environment TEXT NOT NULL);
		CREATE INDEX reports_installation ON reports (installation_num);
		CREATE INDEX reports_day ON reports (day);
		CREATE TABLE error_reports (report_key TEXT PRIMARY KEY,
			installation_num INTEGER NOT NULL REFERENCES installations (num) ON DELETE CASCADE,
			fingerprint TEXT NOT NULL, day INTEGER NOT NULL, ts TEXT NOT NULL, received_at TEXT NOT NULL,
			version TEXT NOT NULL, report TEXT NOT NULL);
		CREATE INDEX error_reports_installation ON error_reports (installation_num);
		CREATE INDEX error_reports_day ON error_reports (day);
		INSERT INTO installations (num, installation_id, created_at) VALUES (1, 'inst-a', '2026-01-01T00:00:00Z');
		INSERT INTO reports VALUES ('k1', 1, 20000, 't', 't', '1.0.0', 3, '{"indexes_created": 1}', '{}'),
			('k2', 1, 20001, 't', 't', '1.0.0', 3, '{"indexes_created": 1}', '{}');
		INSERT INTO error_reports VALUES ('e1', 1, 'fp', 20001, 't', 't', '1.0.0', '{}');
		DELETE FROM schema_migrations WHERE version = 15`)
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	if s, err = sqlite.Open(ctx, path); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	db, err = sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var reports, errs, keyed int
	err = db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM reports), (SELECT count(*) FROM error_reports),
		(SELECT count(*) FROM pragma_index_list('reports') WHERE origin = 'pk')`).Scan(&reports, &errs, &keyed)
	if err != nil {
		t.Fatal(err)
	}
	if reports != 2 || errs != 1 || keyed != 1 {
		t.Fatalf("after migration 015: %d reports, %d error reports, %d primary key indexes; want 2, 1, 1", reports, errs, keyed)
	}
}
