package server

import "github.com/indexpilot/indexpilot-telemetry/internal/dashboard"

// Feature success: the chart's words, which web/static/dashboard.js
// repeats for its refreshes.
const (
	featureSuccessDesc = "Successes per use of each feature over the period, with a 95 % interval that counts installations, not uses, as the unit."
	featureSuccessNote = "Feature usage is not recorded per version, so a version filter shows none."
)

func featureSuccessChart(ov *dashboard.Overview) chartView {
	c := chartView{ID: "feature-success", Title: "Feature success rate", Desc: featureSuccessDesc,
		Head:  []string{"Feature", "Uses", "Successes", "Success rate", "95 % interval", "Installations"},
		Empty: len(ov.FeatureSuccess) == 0}
	if ov.Version != "" {
		c.Note = featureSuccessNote
	}
	for _, f := range ov.FeatureSuccess {
		c.Rows = append(c.Rows, []string{f.Name, formatCount(f.Uses), formatCount(f.Successes), formatPct(&f.SuccessRatePct),
			formatInterval(f.LowPct, f.HighPct), formatCount(int64(f.Installations))})
	}
	return c
}

// formatInterval is "86.2 – 93.1 %", or "–" without an interval.
func formatInterval(low, high *float64) string {
	if low == nil || high == nil {
		return "–"
	}
	return formatPlain(*low) + " – " + formatPct(high)
}
