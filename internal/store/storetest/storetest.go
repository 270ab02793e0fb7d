// Package storetest is the test suite every store backend must pass, so
// that SQLite and PostgreSQL behave the same.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
	"github.com/indexpilot/indexpilot-telemetry/report"
)

// suiteCase is one case of the suite: its name, and the test it runs on
// a fresh store.
type suiteCase struct {
	name string
	fn   func(*testing.T, store.Store)
}

// Run runs the suite. open returns a fresh, migrated, empty store.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []suiteCase{
		{"MigrateTwice", testMigrateTwice},
		{"Keys", testKeys},
		{"Installations", testInstallations},
		{"IngestCountsOnce", testIngestCountsOnce},
		{"RetriesMixedWithNew", testRetriesMixedWithNew},
		{"RollupSums", testRollupSums},
		{"DistinctInstallations", testDistinct},
		{"RecomputeEqualsIngest", testRecompute},
		{"CompactKeepsRows", testCompact},
		{"DeleteInstallation", testDelete},
		{"Retain", testRetain},
		{"Export", testExport},
		{"ConcurrentIngest", testConcurrent},
		{"ErrorsCountOnce", testErrorsCountOnce},
		{"ErrorGroups", testErrorGroups},
		{"ErrorRetention", testErrorRetention},
		{"ErrorReports", testErrorReports},
		{"ErrorsConcurrent", testErrorsConcurrent},
		{"ErasedStaysErased", testErasedStaysErased}, {"Sessions", testSessions}, {"ChangesReachWatchers", testChangesReachWatchers},
		{"AuditLog", testAuditLog}, {"ScanTexts", testScanTexts},
		{"Ledger", testLedger},
		{"ExperimentRegistry", testExperimentRegistry},
		{"ReportDayCounts", testReportDayCounts},
		{"ExperimentUnitDays", testExperimentUnitDays},
	}
	tests = append(tests, feedbackTests...)
	tests = append(tests, featureUsageTests...)
	tests = append(tests, perInstallationTests...)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			t.Cleanup(func() { s.Close() })
			tc.fn(t, s)
		})
	}
}

// Now is the clock of the suite's reports.
var Now = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return c
}

// Item builds a valid item for installation inst at day offset (0 = Now's
// day, -1 the day before) with a given report id suffix.
func Item(inst, daysAgo, seq int, version string) store.Item {
	// Microsecond fractions: both backends must keep them (PostgreSQL's
	// precision; report.Decode truncates to it).
	ts := Now.Add(-time.Duration(daysAgo)*24*time.Hour + time.Duration(seq)*time.Second + time.Duration(seq%1000)*time.Microsecond)
	pct := float64(seq%50) + 0.25
	r := &report.Report{
		SchemaVersion:  3,
		ReportID:       fmt.Sprintf("00000000-0000-4000-8000-%012d", inst*100000+daysAgo*1000+seq),
		InstallationID: fmt.Sprintf("inst-%08d", inst),
		Version:        version,
		Timestamp:      ts.Format(time.RFC3339Nano),
		Metrics: report.Metrics{
			FeaturesUsed:              []string{"auto_indexing", fmt.Sprintf("feature_%d", inst%3)},
			IndexesCreated:            int64(inst%5 + 1),
			IndexesRecommended:        int64(seq % 4),
			QueriesAnalyzed:           int64(1000 * (inst + 1)),
			PerformanceImprovementPct: &pct,
			AlgorithmUsage:            map[string]int64{"cert": int64(seq%7 + 1), "qpg": 2},
			AlgorithmDecisions:        map[string]int64{"cert": 1},
			QueryLatencyMS:            &report.Latency{P50: 1.5, P95: 10.25, P99: 30},
		},
		Environment: report.Environment{PostgreSQLVersion: "15.4", OS: "linux", CPUCores: 8},
	}
	if seq%3 == 0 {
		r.Metrics.Errors = map[string]int64{"OperationalError": int64(seq%5 + 1)}
	}
	if seq%4 == 0 {
		r.Metrics.ABExperiments = []report.ABExperiment{
			{Experiment: fmt.Sprintf("%016x", inst%2), Variant: "a", N: int64(10 + seq%7), MeanMS: 12.5 + float64(seq%5), VarianceMS: 4.25},
			{Experiment: fmt.Sprintf("%016x", inst%2), Variant: "b", N: int64(12 + seq%3), MeanMS: 9.75, VarianceMS: 3.5},
		}
	}
	if seq%2 == 1 {
		uses := int64(seq%9 + 1)
		r.Metrics.FeatureUsage = map[string]report.FeatureUse{"auto_indexing": {Uses: uses, Successes: uses - int64(inst%2)},
			fmt.Sprintf("feature_%d", inst%3): {Uses: int64(inst + 1)}}
	}
	return store.Item{Key: r.ReportID, Report: r, Time: ts, Received: Now.Add(time.Duration(seq) * time.Microsecond)}
}

func ingest(t *testing.T, s store.Store, items []store.Item) []bool {
	t.Helper()
	ins, err := s.Ingest(ctx(t), items)
	if err != nil {
		t.Fatalf("Ingest: %v", err)
	}
	if len(ins) != len(items) {
		t.Fatalf("Ingest returned %d flags for %d items", len(ins), len(items))
	}
	return ins
}

// Snapshot reads every rollup row, with bitmaps, in key order.
func Snapshot(t *testing.T, s store.Store) []*rollup.Row {
	t.Helper()
	rows, err := s.Rollups(ctx(t), store.RollupQuery{From: 0, To: rollup.DayOf(Now) + 400, Bitmaps: true})
	if err != nil {
		t.Fatalf("Rollups: %v", err)
	}
	return rows
}

func find(rows []*rollup.Row, day rollup.Day, dim, key string) *rollup.Row {
	for _, r := range rows {
		if r.Day == day && r.Dim == dim && r.Key.Key == key {
			return r
		}
	}
	return nil
}

func testMigrateTwice(t *testing.T, s store.Store) {
	if err := s.Migrate(ctx(t)); err != nil {
		t.Fatalf("second Migrate: %v", err)
	}
	if err := s.Ping(ctx(t)); err != nil {
		t.Fatalf("Ping: %v", err)
	}
}

func testKeys(t *testing.T, s store.Store) {
	c := ctx(t)
	k := store.Key{ID: "k1", Kind: store.KindFleet, Name: "sim", Hash: []byte{1, 2, 3}, Created: Now}
	if err := s.CreateKey(c, k); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateKey(c, k); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("duplicate CreateKey: got %v, want ErrConflict", err)
	}
	if err := s.CreateKey(c, store.Key{ID: "k2", Kind: store.KindAdmin, Name: "ops", Hash: []byte{4}, Created: Now.Add(time.Second)}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Key(c, "k1")
	if err != nil || got.Kind != store.KindFleet || got.Name != "sim" || string(got.Hash) != "\x01\x02\x03" || got.Revoked != nil {
		t.Fatalf("Key(k1) = %+v, %v", got, err)
	}
	if _, err := s.Key(c, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Key(nope): %v, want ErrNotFound", err)
	}
	if err := s.RevokeKey(c, "k1", Now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.RevokeKey(c, "nope", Now); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("RevokeKey(nope): %v, want ErrNotFound", err)
	}
	keys, err := s.Keys(c)
	if err != nil || len(keys) != 2 || keys[0].ID != "k1" || keys[0].Revoked == nil || !keys[0].Revoked.Equal(Now.Add(time.Hour)) || keys[1].Revoked != nil {
		t.Fatalf("Keys = %+v, %v", keys, err)
	}
}

func testInstallations(t *testing.T, s store.Store) {
	c := ctx(t)
	in := store.Installation{ID: "inst-aaaa1111", KeyID: "kid1", KeyHash: []byte("hash"), Created: Now}
	if err := s.CreateInstallation(c, in); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateInstallation(c, in); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("duplicate: %v, want ErrConflict", err)
	}
	got, err := s.InstallationByKeyID(c, "kid1")
	if err != nil || got.ID != in.ID || string(got.KeyHash) != "hash" || !got.Created.Equal(Now) {
		t.Fatalf("InstallationByKeyID = %+v, %v", got, err)
	}
	if _, err := s.InstallationByKeyID(c, "other"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown key: %v, want ErrNotFound", err)
	}
}

func testIngestCountsOnce(t *testing.T, s store.Store) {
	a, b := Item(1, 0, 1, "1.1.0"), Item(2, 0, 2, "1.1.0")
	if got := ingest(t, s, []store.Item{a, b, a}); !got[0] || !got[1] || got[2] {
		t.Fatalf("first batch inserted = %v, want [true true false]", got)
	}
	if got := ingest(t, s, []store.Item{b, Item(3, 0, 3, "1.2.0")}); got[0] || !got[1] {
		t.Fatalf("retry batch inserted = %v, want [false true]", got)
	}
	all := find(Snapshot(t, s), rollup.DayOf(Now), rollup.DimAll, "")
	if all == nil || all.Reports != 3 || all.InstallsN != 3 {
		t.Fatalf("all row = %+v, want 3 reports from 3 installations", all)
	}
}

func testRollupSums(t *testing.T, s store.Store) {
	items := []store.Item{Item(1, 0, 3, "1.1.0"), Item(1, 0, 4, "1.1.0"), Item(2, 1, 5, "1.2.0")}
	ingest(t, s, items)
	rows := Snapshot(t, s)
	today := rollup.DayOf(Now)
	want := rollup.Deltas([]rollup.Contribution{
		{Num: 0, Report: items[0].Report, Time: items[0].Time},
		{Num: 0, Report: items[1].Report, Time: items[1].Time},
	})
	for k, w := range want {
		got := find(rows, k.Day, k.Dim, k.Key)
		if got == nil || got.Counters != w.Counters {
			t.Errorf("row %v = %+v, want counters %+v", k, got, w.Counters)
		}
	}
	v := find(rows, today, rollup.DimVersion, "1.1.0")
	if v == nil || v.Reports != 2 || v.IndexesCreated != 4 || v.PerfSum != 32500+42500 || v.PerfN != 2 {
		t.Fatalf("version row = %+v", v)
	}
	e := find(rows, today, rollup.DimError, "OperationalError")
	if e == nil || e.Total != 4 || e.InstallsN != 1 {
		t.Fatalf("error row = %+v, want total 4 from 1 installation", e)
	}
	if p := find(rows, today, rollup.DimPostgres, "15"); p == nil || p.Reports != 2 {
		t.Fatalf("pg row = %+v", p)
	}
	if y := find(rows, today-1, rollup.DimVersion, "1.2.0"); y == nil || y.Reports != 1 {
		t.Fatalf("yesterday's row = %+v", y)
	}
}
