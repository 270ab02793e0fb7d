package dashboard

import (
	"testing"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

func TestErrorReportsPerActiveInstallation(t *testing.T) {
	bm := roaring.BitmapOf
	row := func(day rollup.Day, version string, reports int64, installs *roaring.Bitmap) *rollup.Row {
		r := rollup.NewRow(rollup.Key{Day: day, Dim: rollup.DimVersion, Key: version})
		r.Reports, r.Installs = reports, installs
		return r
	}
	// Telemetry: 1.1.0 from installations 1-4 over two days, 1.2.0 from 5.
	g := NewWindow(Period{From: 1, To: 2}, []*rollup.Row{row(1, "1.1.0", 4, bm(1, 2, 3)), row(2, "1.1.0", 2, bm(3, 4)), row(2, "1.2.0", 1, bm(5))})
	w := &store.ErrorWindow{Days: []*store.ErrorDay{
		{Day: 1, Fingerprint: "a", Version: "1.1.0", Reports: 3, Installs: bm(1, 2)},
		{Day: 2, Fingerprint: "b", Version: "1.1.0", Reports: 3, Installs: bm(2)},
		{Day: 2, Fingerprint: "a", Version: "1.3.0", Reports: 2, Installs: bm(9)}, // sends error reports only
	}}
	got := withErrorReports(errorRates(g), g, w, "")
	want := []struct {
		version   string
		reports   int64
		installs  uint64
		perActive float64
	}{
		{"1.3.0", 2, 1, 2},   // its one installation is active through its error reports
		{"1.2.0", 0, 0, 0},   // no error report
		{"1.1.0", 6, 2, 1.5}, // 6 reports over 4 active installations
	}
	if len(got) != len(want) {
		t.Fatalf("rates = %+v", got)
	}
	for i, w := range want {
		e := got[i]
		if e.Version != w.version || e.ErrorReports != w.reports || e.InstallationsWithErrorReports != w.installs || e.ErrorReportsPerActive != w.perActive {
			t.Errorf("rate %d = %+v, want %+v", i, e, w)
		}
	}
	if got[2].Reports != 6 || got[2].Installations != 4 {
		t.Errorf("the telemetry fields of 1.1.0 changed: %+v", got[2])
	}
	only := withErrorReports(nil, g, w, "1.3.0")
	if len(only) != 1 || only[0].Version != "1.3.0" || only[0].ErrorReports != 2 {
		t.Errorf("filtered to 1.3.0: %+v", only)
	}
}
