package dashboard

import (
	"sort"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
	"github.com/indexpilot/indexpilot-telemetry/report"
)

// withErrorReports adds the error reports of w to rates, adding the
// versions that sent error reports but no telemetry; with a version
// filter, only that version's. A version's active installations are those
// that sent a telemetry report or an error report with it in the window:
// error reports are consented to separately, so an installation may send
// only those.
func withErrorReports(rates []ErrorRate, g grouped, w *store.ErrorWindow, version string) []ErrorRate {
	reports := map[string]int64{}
	affected := map[string]*roaring.Bitmap{}
	for _, d := range w.Days {
		if version != "" && d.Version != version {
			continue
		}
		if affected[d.Version] == nil {
			affected[d.Version] = roaring.New()
		}
		reports[d.Version] += d.Reports
		affected[d.Version].Or(d.Installs)
	}
	have := map[string]bool{}
	for _, r := range rates {
		have[r.Version] = true
	}
	for v := range reports {
		if !have[v] {
			rates = append(rates, ErrorRate{Version: v})
		}
	}
	for i := range rates {
		e := &rates[i]
		hit := affected[e.Version]
		if hit == nil {
			hit = roaring.New()
		}
		active := roaring.Or(g.union(rollup.DimVersion, e.Version), hit)
		e.ErrorReports, e.InstallationsWithErrorReports = reports[e.Version], hit.GetCardinality()
		if n := active.GetCardinality(); n > 0 {
			e.ErrorReportsPerActive = float64(e.ErrorReports) / float64(n)
		}
	}
	sort.SliceStable(rates, func(i, j int) bool { return report.CompareVersions(rates[i].Version, rates[j].Version) > 0 })
	return rates
}
