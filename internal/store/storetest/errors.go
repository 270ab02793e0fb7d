package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
	"github.com/indexpilot/indexpilot-telemetry/report"
)

// ErrorItem builds an error report of installation inst, daysAgo days
// before Now, in group fp, with a report id made of inst, daysAgo and seq.
func ErrorItem(inst, daysAgo, seq int, fp, version string) store.ErrorItem {
	ts := Now.Add(-time.Duration(daysAgo)*24*time.Hour - time.Duration(seq)*time.Second - time.Duration(seq%1000)*time.Microsecond)
	r := &report.ErrorReport{
		SchemaVersion: 1, ReportID: fmt.Sprintf("00000000-0000-4000-9000-%012d", inst*100000+daysAgo*1000+seq),
		InstallationID: fmt.Sprintf("inst-%08d", inst), Version: version, Timestamp: ts.Format(time.RFC3339Nano),
		ErrorType: "psycopg2.OperationalError", SQLState: "08006",
		Message: fmt.Sprintf(`connection to server at "[host]" failed (group %s)`, fp),
		Frames:  []report.Frame{{File: "/x/site-packages/indexpilot/core.py", Function: "connect", Line: 12, InApp: true}},
		Context: report.ErrorContext{Component: "auto_indexer"},
	}
	return store.ErrorItem{Key: r.ReportID, Fingerprint: fp, Culprit: "indexpilot.core:connect", Report: r, Time: ts,
		Received: Now.Add(time.Duration(seq) * time.Microsecond)}
}

func ingestError(t *testing.T, s store.Store, it store.ErrorItem) bool {
	t.Helper()
	ok, err := s.IngestError(ctx(t), it)
	if err != nil {
		t.Fatalf("IngestError: %v", err)
	}
	return ok
}

// errorWindow reads every error counter and group of the last 400 days.
func errorWindow(t *testing.T, s store.Store) *store.ErrorWindow {
	t.Helper()
	w, err := s.ErrorWindow(ctx(t), store.ErrorQuery{From: rollup.DayOf(Now) - 400, To: rollup.DayOf(Now) + 1, Groups: true})
	if err != nil {
		t.Fatalf("ErrorWindow: %v", err)
	}
	return w
}

func testErrorsCountOnce(t *testing.T, s store.Store) {
	a := ErrorItem(1, 0, 1, "fp-a", "1.1.0")
	if !ingestError(t, s, a) || ingestError(t, s, a) {
		t.Fatal("first delivery not stored, or its retry stored again")
	}
	ingestError(t, s, ErrorItem(1, 0, 2, "fp-a", "1.1.0"))
	w := errorWindow(t, s)
	g := w.Groups["fp-a"]
	if g == nil || g.Reports != 2 || g.Installs.GetCardinality() != 1 || len(w.Days) != 1 || w.Days[0].Reports != 2 {
		t.Fatalf("after a report, its retry and another report: group %+v, days %+v", g, w.Days)
	}
	if g.ErrorType != a.Report.ErrorType || g.SQLState != "08006" || g.Message != a.Report.Message || g.Culprit != a.Culprit {
		t.Errorf("group sample = %+v, want the first report's", g)
	}
	earlier := ErrorItem(1, 0, 2, "fp-a", "").Time
	if !g.FirstSeen.Equal(earlier) || !g.LastSeen.Equal(a.Time) {
		t.Errorf("first/last seen %v / %v, want %v / %v", g.FirstSeen, g.LastSeen, earlier, a.Time)
	}
}

func testErrorGroups(t *testing.T, s store.Store) {
	for i := range 50 {
		ingestError(t, s, ErrorItem(i, i%3, i, "fp-many", fmt.Sprintf("1.%d.0", i%2)))
	}
	ingestError(t, s, ErrorItem(7, 0, 99, "fp-other", "1.0.0"))
	w := errorWindow(t, s)
	if g := w.Groups["fp-many"]; g == nil || g.Reports != 50 || g.Installs.GetCardinality() != 50 {
		t.Fatalf("group of 50 installations: %+v", g)
	}
	if len(w.Groups) != 2 || w.Groups["fp-other"].Reports != 1 {
		t.Fatalf("groups: %v", w.Groups)
	}
	reports, days := map[string]int64{}, map[rollup.Day]bool{}
	for i, d := range w.Days {
		if i > 0 && !lessDay(w.Days[i-1], d) {
			t.Fatalf("days out of order: %+v before %+v", w.Days[i-1], d)
		}
		if d.Fingerprint == "fp-many" {
			reports[d.Version] += d.Reports
			days[d.Day] = true
			if d.Installs.GetCardinality() != uint64(d.Reports) {
				t.Errorf("counter %+v: %d installations", d, d.Installs.GetCardinality())
			}
		}
	}
	if reports["1.0.0"] != 25 || reports["1.1.0"] != 25 || len(days) != 3 {
		t.Fatalf("per version %v over %d days, want 25 and 25 over 3", reports, len(days))
	}
	today := rollup.DayOf(Now)
	w, err := s.ErrorWindow(ctx(t), store.ErrorQuery{From: today, To: today})
	if err != nil || w.Groups != nil || len(w.Days) != 3 { // fp-many's two versions and fp-other
		t.Fatalf("today's counters without groups: %+v, %v", w, err)
	}
}

func lessDay(a, b *store.ErrorDay) bool {
	if a.Day != b.Day {
		return a.Day < b.Day
	}
	if a.Fingerprint != b.Fingerprint {
		return a.Fingerprint < b.Fingerprint
	}
	return a.Version < b.Version
}

func testErrorRetention(t *testing.T, s store.Store) {
	for _, it := range []store.ErrorItem{ErrorItem(1, 0, 1, "fp", "1.0.0"), ErrorItem(1, 10, 2, "fp", "1.0.0"),
		ErrorItem(2, 40, 3, "fp", "1.0.0"), ErrorItem(2, 40, 4, "fp-old", "1.0.0")} {
		ingestError(t, s, it)
	}
	today := rollup.DayOf(Now)
	n, err := s.RetainErrors(ctx(t), today-30, today-365)
	if err != nil || n != 2 {
		t.Fatalf("RetainErrors = %d, %v; want the 2 raw reports older than 30 days", n, err)
	}
	if got := errorReports(t, s, 1); len(got) != 2 {
		t.Fatalf("installation 1 keeps %d raw reports, want 2", len(got))
	}
	if got := errorReports(t, s, 2); len(got) != 0 {
		t.Fatalf("installation 2 keeps %d raw reports, want none", len(got))
	}
	w := errorWindow(t, s)
	if g := w.Groups["fp"]; g == nil || g.Reports != 3 || g.Installs.GetCardinality() != 2 || len(w.Days) != 4 {
		t.Fatalf("after raw retention: group %+v, %d counters; counts must stay", g, len(w.Days))
	}
	if _, err := s.RetainErrors(ctx(t), today-30, today-5); err != nil {
		t.Fatal(err)
	}
	w = errorWindow(t, s)
	if len(w.Days) != 1 || w.Days[0].Day != today || w.Groups["fp"] == nil || w.Groups["fp"].Reports != 3 {
		t.Fatalf("after counter retention: days %+v, groups %v", w.Days, w.Groups)
	}
	// fp-old, last seen 40 days ago, has no counter left: its group went
	// too, so when it comes back it starts afresh.
	again := ErrorItem(5, 0, 5, "fp-old", "1.0.0")
	ingestError(t, s, again)
	if g := errorWindow(t, s).Groups["fp-old"]; g == nil || g.Reports != 1 || !g.FirstSeen.Equal(again.Time) {
		t.Fatalf("a group whose counters all expired, seen again: %+v; want a new group", g)
	}
}

func errorReports(t *testing.T, s store.Store, inst int) []store.StoredError {
	t.Helper()
	got, err := s.ErrorReports(ctx(t), fmt.Sprintf("inst-%08d", inst))
	if err != nil {
		t.Fatalf("ErrorReports: %v", err)
	}
	return got
}

func testErrorReports(t *testing.T, s store.Store) {
	a, b := ErrorItem(3, 0, 5, "fp", "1.1.0"), ErrorItem(3, 0, 1, "fp", "1.1.0")
	ingestError(t, s, b)
	ingestError(t, s, a)
	ingestError(t, s, ErrorItem(4, 0, 2, "fp", "1.1.0"))
	got := errorReports(t, s, 3)
	if len(got) != 2 || got[0].Key != a.Key || got[1].Key != b.Key || got[0].Fingerprint != "fp" {
		t.Fatalf("ErrorReports = %+v, want the installation's 2 reports oldest first", got)
	}
	if !got[0].Received.Equal(a.Received) || fmt.Sprint(got[0].Report) != fmt.Sprint(*a.Report) {
		t.Errorf("stored %+v at %v\nwant   %+v at %v", got[0].Report, got[0].Received, *a.Report, a.Received)
	}
	if none, err := s.ErrorReports(ctx(t), "never-seen"); err != nil || len(none) != 0 {
		t.Errorf("unknown installation: %v, %v", none, err)
	}
	if _, err := s.DeleteInstallation(ctx(t), a.Report.InstallationID); err != nil {
		t.Fatal(err)
	}
	if got := errorReports(t, s, 3); len(got) != 0 {
		t.Fatalf("a deleted installation keeps %d raw error reports", len(got))
	}
	if g := errorWindow(t, s).Groups["fp"]; g == nil || g.Reports != 3 {
		t.Fatalf("group after deleting an installation: %+v; its anonymous counts stay", g)
	}
}

func testErrorsConcurrent(t *testing.T, s store.Store) {
	var items []store.ErrorItem
	for i := range 60 {
		items = append(items, ErrorItem(i%20, i%2, i, fmt.Sprintf("fp-%d", i%3), "1.0.0"))
	}
	var wg sync.WaitGroup
	errs := make(chan error, 6)
	for w := range 6 {
		wg.Go(func() { // every worker sends every item, from another start
			for k := range items {
				if _, err := s.IngestError(ctx(t), items[(k+w*10)%len(items)]); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("concurrent IngestError: %v", err)
	}
	w := errorWindow(t, s)
	var reports int64
	for _, d := range w.Days {
		reports += d.Reports
	}
	if len(w.Groups) != 3 || reports != 60 {
		t.Fatalf("%d groups, %d reports counted; want 3 and 60", len(w.Groups), reports)
	}
	for fp, g := range w.Groups {
		if g.Reports != 20 || g.Installs.GetCardinality() != 20 {
			t.Errorf("group %s: %d reports from %d installations, want 20 from 20", fp, g.Reports, g.Installs.GetCardinality())
		}
	}
}
