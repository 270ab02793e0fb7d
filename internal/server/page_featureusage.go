package server

import "github.com/indexpilot/indexpilot-telemetry/internal/dashboard"

func featureSuccessChart(ov *dashboard.Overview) chartView {
	c := chartView{ID: "feature-success", Title: "Feature success rate",
		Desc:  "Successes per use of each feature over the period, with a 95 % interval that counts installations, not uses, as the unit.",
		Head:  []string{"Feature", "Uses", "Successes", "Success rate", "95 % interval", "Installations"},
		Empty: len(ov.FeatureSuccess) == 0}
	if ov.Version != "" {
		c.Note = "Feature usage is not recorded per version, so a version filter shows none."
	}
	for _, f := range ov.FeatureSuccess {
		c.Rows = append(c.Rows, []string{f.Name, dashboard.FormatCount(f.Uses), dashboard.FormatCount(f.Successes),
			dashboard.FormatPct(&f.SuccessRatePct), dashboard.FormatInterval(f.LowPct, f.HighPct),
			dashboard.FormatCount(int64(f.Installations))})
	}
	return c
}
