package storetest

import (
	"testing"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

// perInstallationTests check that a report id is its installation's own
// idempotency key (issue 18): another installation reusing it is another
// report, a retry of the same installation counts once.
var perInstallationTests = []suiteCase{
	{"ReportKeyPerInstallation", testReportKeyPerInstallation},
	{"ErrorKeyPerInstallation", testErrorKeyPerInstallation},
}

// sameID returns it as installation inst sent it, with its report id and
// timestamp unchanged.
func sameID(it store.Item, inst int) store.Item {
	other := Item(inst, 0, 1, it.Report.Version)
	r := *it.Report
	r.InstallationID = other.Report.InstallationID
	it.Report = &r
	return it
}

func testReportKeyPerInstallation(t *testing.T, s store.Store) {
	a := Item(1, 0, 1, "1.1.0")
	b, c := sameID(a, 2), sameID(a, 3)
	// One batch with two installations' reports of one id, and a retry.
	if got := ingest(t, s, []store.Item{a, b, a}); !got[0] || !got[1] || got[2] {
		t.Fatalf("first batch inserted = %v, want [true true false]", got)
	}
	// Later batches: retries of both (their installations are known now),
	// and a third installation's report with the id.
	if got := ingest(t, s, []store.Item{b, a}); got[0] || got[1] {
		t.Fatalf("retry batch inserted = %v, want [false false]", got)
	}
	if got := ingest(t, s, []store.Item{c, a}); !got[0] || got[1] {
		t.Fatalf("third installation's batch inserted = %v, want [true false]", got)
	}
	all := find(Snapshot(t, s), rollup.DayOf(Now), rollup.DimAll, "")
	if all == nil || all.Reports != 3 || all.InstallsN != 3 {
		t.Fatalf("all row = %+v, want 3 reports from 3 installations", all)
	}
	for _, it := range []store.Item{a, b, c} {
		exp, err := s.ExportInstallation(ctx(t), it.Report.InstallationID)
		if err != nil {
			t.Fatal(err)
		}
		if len(exp.Reports) != 1 || exp.Reports[0].Key != a.Key {
			t.Fatalf("export of %s = %+v, want its one report %s", it.Report.InstallationID, exp.Reports, a.Key)
		}
	}
	if err := s.Recompute(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if all := find(Snapshot(t, s), rollup.DayOf(Now), rollup.DimAll, ""); all == nil || all.Reports != 3 {
		t.Fatalf("all row after recompute = %+v, want 3 reports", all)
	}
}

func testErrorKeyPerInstallation(t *testing.T, s store.Store) {
	a := ErrorItem(1, 0, 1, "fp-a", "1.1.0")
	b := ErrorItem(2, 0, 1, "fp-a", "1.1.0")
	b.Key, b.Report.ReportID, b.Time, b.Report.Timestamp = a.Key, a.Report.ReportID, a.Time, a.Report.Timestamp
	for _, step := range []struct {
		it   store.ErrorItem
		want bool
	}{{a, true}, {b, true}, {a, false}, {b, false}} {
		if got := ingestError(t, s, step.it); got != step.want {
			t.Fatalf("error report %s of %s stored = %v, want %v", step.it.Key, step.it.Report.InstallationID, got, step.want)
		}
	}
	w := errorWindow(t, s)
	if g := w.Groups["fp-a"]; g == nil || g.Reports != 2 || g.Installs.GetCardinality() != 2 {
		t.Fatalf("group = %+v, want 2 reports from 2 installations", g)
	}
	for _, it := range []store.ErrorItem{a, b} {
		got, err := s.ErrorReports(ctx(t), it.Report.InstallationID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].Key != a.Key {
			t.Fatalf("error reports of %s = %+v, want its one report", it.Report.InstallationID, got)
		}
	}
}
