package server

import (
	"github.com/indexpilot/indexpilot-telemetry/internal/dashboard"
)

// chartViews lists the page's charts in order, each with its numbers as
// a table. web/static/dashboard.js draws a chart for each ID.
func chartViews(ov *dashboard.Overview) []chartView {
	return withRows(
		activeChart(ov), versionsChart(ov), featuresChart(ov), featureSuccessChart(ov), algorithmsChart(ov),
		performanceChart(ov), errorsChart(ov),
		adoptionChart("postgresql", "PostgreSQL versions", "PostgreSQL major version", ov.PostgresVersions),
		adoptionChart("os", "Operating systems", "Operating system", ov.OperatingSystems),
	)
}

// withRows returns charts with a table without rows as an empty list, not
// null, in JSON: the pages' scripts read every table's rows.
func withRows(charts ...chartView) []chartView {
	for i := range charts {
		if charts[i].Rows == nil {
			charts[i].Rows = [][]string{}
		}
	}
	return charts
}

func activeChart(ov *dashboard.Overview) chartView {
	c := chartView{ID: "active", Title: "Active installations per day",
		Desc: "Installations that sent at least one report that day (UTC).", Head: []string{"Day (UTC)", "Installations"}, Empty: true}
	for i, d := range ov.Day {
		c.Rows = append(c.Rows, []string{d, dashboard.FormatCount(ov.ActiveByDay[i])})
		c.Empty = c.Empty && ov.ActiveByDay[i] == 0
	}
	return c
}

func versionsChart(ov *dashboard.Overview) chartView {
	c := chartView{ID: "versions", Title: "Version adoption",
		Desc:  "Installations per day, each counted once under the newest version it reported that day (stacked).",
		Head:  []string{"Day (UTC)"},
		Empty: true}
	perDay(&c, ov.Day, ov.VersionByDay, func(s dashboard.CountSeries) string { return s.Name },
		func(s dashboard.CountSeries, i int) (string, bool) {
			return dashboard.FormatCount(s.Values[i]), s.Values[i] == 0
		})
	return c
}

// perDay adds a column per series and a row per day to c, each cell
// written by cell, which also says whether it is empty: c stays Empty
// only while every cell is.
func perDay[S any](c *chartView, days []string, series []S, name func(S) string, cell func(s S, day int) (string, bool)) {
	for _, s := range series {
		c.Head = append(c.Head, name(s))
	}
	for i, d := range days {
		row := []string{d}
		for _, s := range series {
			text, empty := cell(s, i)
			row = append(row, text)
			c.Empty = c.Empty && empty
		}
		c.Rows = append(c.Rows, row)
	}
}

func featuresChart(ov *dashboard.Overview) chartView {
	return adoptionChart("features", "Feature adoption", "Feature", ov.FeatureAdoption)
}

func adoptionChart(id, title, what string, rows []dashboard.Adoption) chartView {
	c := chartView{ID: id, Title: title, Desc: "Share of the period's active installations.",
		Head: []string{what, "Installations", "% of active installations"}, Empty: len(rows) == 0}
	for _, a := range rows {
		c.Rows = append(c.Rows, []string{a.Name, dashboard.FormatCount(int64(a.Installations)), dashboard.FormatPct(&a.Pct)})
	}
	return c
}

func algorithmsChart(ov *dashboard.Overview) chartView {
	c := chartView{ID: "algorithms", Title: "Algorithm usage and decision rate",
		Desc:  "Uses over the period, and decisions per use (%).",
		Head:  []string{"Algorithm", "Uses", "Decisions", "Decision rate", "Installations", "% of active installations"},
		Empty: len(ov.Algorithms) == 0}
	if ov.Version != "" {
		c.Desc = "Share of the version's active installations that used each algorithm."
		c.Note = "Uses and decisions are not recorded per version, so a version filter shows installations only."
	}
	for _, a := range ov.Algorithms {
		c.Rows = append(c.Rows, []string{a.Name, dashboard.FormatOptCount(a.Uses), dashboard.FormatOptCount(a.Decisions), dashboard.FormatPct(a.DecisionRatePct),
			dashboard.FormatCount(int64(a.Installations)), dashboard.FormatPct(&a.Pct)})
	}
	return c
}

func performanceChart(ov *dashboard.Overview) chartView {
	c := chartView{ID: "performance", Title: "Performance improvement per version",
		Desc: "Average performance improvement (%) of each version's reports per day.", Head: []string{"Day (UTC)"}, Empty: true}
	perDay(&c, ov.Day, ov.PerformanceByVersion, func(s dashboard.PctSeries) string { return s.Name },
		func(s dashboard.PctSeries, i int) (string, bool) {
			return dashboard.FormatPct(s.Values[i]), s.Values[i] == nil
		})
	return c
}

func errorsChart(ov *dashboard.Overview) chartView {
	c := chartView{ID: "errors", Title: "Error rate per version",
		Desc: "Share of each version's reports that carried at least one error.",
		Head: []string{"Version", "Reports", "Reports with errors", "Error rate", "Errors", "Errors per installation",
			"Error reports", "Error reports per active installation"},
		Empty: len(ov.ErrorRates) == 0}
	for _, e := range ov.ErrorRates {
		c.Rows = append(c.Rows, []string{e.Version, dashboard.FormatCount(e.Reports), dashboard.FormatCount(e.ReportsWithErrors),
			dashboard.FormatPct(&e.ReportsWithErrorPct), dashboard.FormatCount(e.Errors), dashboard.FormatDecimal(e.ErrorsPerInstall),
			dashboard.FormatCount(e.ErrorReports), dashboard.FormatDecimal(e.ErrorReportsPerActive)})
	}
	return c
}
