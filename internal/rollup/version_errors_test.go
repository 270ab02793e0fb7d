package rollup

import (
	"slices"
	"testing"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/report"
)

// A version's errored reports get rows of their own: one per version
// (which installations erred) and one per version and error type (how
// many errors of it); a report without errors adds to neither.
func TestVersionErrorRows(t *testing.T) {
	at := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	rows := Deltas([]Contribution{
		{Num: 1, Time: at, Report: &report.Report{Version: "1.2.0", Metrics: report.Metrics{Errors: map[string]int64{"OperationalError": 3, "UniqueViolation": 1}}}},
		{Num: 2, Time: at, Report: &report.Report{Version: "1.2.0", Metrics: report.Metrics{Errors: map[string]int64{"OperationalError": 2, "Zero": 0}}}},
		{Num: 3, Time: at, Report: &report.Report{Version: "1.2.0"}},
		{Num: 4, Time: at, Report: &report.Report{Version: "1.1.0", Metrics: report.Metrics{Errors: map[string]int64{"OperationalError": 5}}}},
	})
	day := DayOf(at)
	want := map[Key]struct {
		reports, total int64
		installs       []uint32
	}{
		{day, DimVersionErrored, "1.2.0"}:                {2, 0, []uint32{1, 2}},
		{day, DimVersionErrored, "1.1.0"}:                {1, 0, []uint32{4}},
		{day, DimVersionError, "1.2.0/OperationalError"}: {2, 5, []uint32{1, 2}},
		{day, DimVersionError, "1.2.0/UniqueViolation"}:  {1, 1, []uint32{1}},
		{day, DimVersionError, "1.1.0/OperationalError"}: {1, 5, []uint32{4}},
	}
	got := 0
	for k, r := range rows {
		if k.Dim != DimVersionErrored && k.Dim != DimVersionError {
			continue
		}
		got++
		w, ok := want[k]
		if !ok {
			t.Errorf("unexpected row %v", k)
			continue
		}
		if r.Reports != w.reports || r.Total != w.total || r.ErrorReports != w.reports || !slices.Equal(r.Installs.ToArray(), w.installs) {
			t.Errorf("row %v: reports %d, total %d, errored %d, installations %v; want %d, %d, %d, %v",
				k, r.Reports, r.Total, r.ErrorReports, r.Installs.ToArray(), w.reports, w.total, w.reports, w.installs)
		}
	}
	if got != len(want) {
		t.Errorf("%d version error rows, want %d", got, len(want))
	}
}
