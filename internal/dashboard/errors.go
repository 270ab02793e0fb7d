package dashboard

import (
	"slices"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
	"github.com/indexpilot/indexpilot-telemetry/report"
)

// ErrorRate is the error picture of one version.
type ErrorRate struct {
	Version             string  `json:"version"`
	Reports             int64   `json:"reports"`
	ReportsWithErrors   int64   `json:"reports_with_errors"`
	Errors              int64   `json:"errors"`
	Installations       uint64  `json:"installations"`
	ErrorsPerInstall    float64 `json:"errors_per_installation"`
	ReportsWithErrorPct float64 `json:"reports_with_errors_pct"`
	// Error reports (POST /api/v1/errors) of the version; see
	// withErrorReports.
	ErrorReports                  int64   `json:"error_reports"`
	InstallationsWithErrorReports uint64  `json:"installations_with_error_reports"`
	ErrorReportsPerActive         float64 `json:"error_reports_per_active_installation"`
}

// errorRates are the telemetry reports' error figures of each version of
// the window.
func errorRates(w *Window) []ErrorRate {
	var out []ErrorRate
	for _, v := range w.Keys(rollup.DimVersion) {
		c := w.Sum(rollup.DimVersion, v)
		e := ErrorRate{Version: v, Reports: c.Reports, ReportsWithErrors: c.ErrorReports, Errors: c.Errors,
			Installations: w.Installs(rollup.DimVersion, v).GetCardinality()}
		e.ReportsWithErrorPct = Pct(float64(c.ErrorReports), float64(c.Reports))
		if e.Installations > 0 {
			e.ErrorsPerInstall = float64(c.Errors) / float64(e.Installations)
		}
		out = append(out, e)
	}
	sortNewestFirst(out)
	return out
}

// withErrorReports adds the error reports of ew to rates, adding the
// versions that sent error reports but no telemetry; with a version
// filter, only that version's. A version's active installations are those
// that sent a telemetry report or an error report with it in the window:
// error reports are consented to separately, so an installation may send
// only those.
func withErrorReports(rates []ErrorRate, w *Window, ew *store.ErrorWindow, version string) []ErrorRate {
	reports := map[string]int64{}
	affected := map[string]*roaring.Bitmap{}
	for _, d := range ew.Days {
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
		active := roaring.Or(w.Installs(rollup.DimVersion, e.Version), hit)
		e.ErrorReports, e.InstallationsWithErrorReports = reports[e.Version], hit.GetCardinality()
		if n := active.GetCardinality(); n > 0 {
			e.ErrorReportsPerActive = float64(e.ErrorReports) / float64(n)
		}
	}
	sortNewestFirst(rates)
	return rates
}

// sortNewestFirst orders error rates by version, newest first.
func sortNewestFirst(rates []ErrorRate) {
	slices.SortStableFunc(rates, func(a, b ErrorRate) int { return report.CompareVersions(b.Version, a.Version) })
}
