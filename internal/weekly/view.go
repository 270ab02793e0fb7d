package weekly

import (
	"fmt"
	"strings"

	"github.com/indexpilot/indexpilot-telemetry/internal/dashboard"
)

// view is a report written for people: every heading, label and number
// as text, in one place, which the Markdown and the HTML lay out alike.
type view struct {
	Title    string // "IndexPilot weekly report: 2026-W48"
	Subtitle string // the days, and the week compared with
	Note     string // said when the week had no report
	Top      []Recommendation
	Sections []section
}

// section is a heading with, optionally, bars of a daily series, tables
// and a numbered list.
type section struct {
	Heading string
	Bars    *bars
	Tables  []table
	List    []Recommendation
}

// table is a titled table; the first column is a name, the others are
// right-aligned figures. Trends, when set, says for each row whether its
// last cell, a change, moved the good way (dashboard.TrendGood…).
type table struct {
	Heading string
	Columns []string
	Rows    [][]string
	Trends  []string
}

// bars are a small chart of a daily series, drawn without an image.
type bars struct {
	Label  string
	Days   []string // Mon…Sun
	Values []int64
	Max    int64
}

// summaryRows names the summary's figures, in the JSON's names.
var summaryRows = []struct{ key, label string }{
	{"new_installations", "New installations"},
	{"active_installations", "Active installations"},
	{"total_installations", "Total installations"},
	{"reports", "Reports"},
	{"indexes_created", "Indexes created"},
	{"avg_performance_improvement", "Average performance improvement"},
}

func newView(r *Report) *view {
	v := &view{Title: "IndexPilot weekly report: " + r.Week,
		Subtitle: fmt.Sprintf("%s to %s (UTC), compared with %s to %s", r.Start, r.End, r.PreviousStart, r.PreviousEnd), Top: r.Top()}
	if r.Empty() {
		v.Note = "No installation reported this week."
	}
	v.Sections = append(v.Sections, summarySection(r))
	if !r.Empty() {
		v.Sections = append(v.Sections, trendsSection(r.Trends))
	}
	if s := insightsSection(r.Insights); len(s.Tables) > 0 {
		v.Sections = append(v.Sections, s)
	}
	if len(r.Recommendations) > 0 {
		v.Sections = append(v.Sections, section{Heading: "Recommendations", List: r.Recommendations})
	}
	return v
}

func summarySection(r *Report) section {
	t := table{Columns: []string{"Figure", "This week", "Against the week before"}}
	s := r.Summary
	values := map[string]string{
		"new_installations":           dashboard.FormatCount(int64(s.NewInstallations)),
		"active_installations":        dashboard.FormatCount(int64(s.ActiveInstallations)),
		"total_installations":         dashboard.FormatCount(int64(s.TotalInstallations)),
		"reports":                     dashboard.FormatCount(s.Reports),
		"indexes_created":             dashboard.FormatCount(s.IndexesCreated),
		"avg_performance_improvement": dashboard.FormatPct(s.AvgPerformanceImprovement),
	}
	for _, row := range summaryRows {
		t.Rows = append(t.Rows, []string{row.label, values[row.key], r.Changes[row.key].Text})
		t.Trends = append(t.Trends, r.Changes[row.key].Trend)
	}
	return section{Heading: "Summary", Tables: []table{t}}
}

func trendsSection(t Trends) section {
	s := section{Heading: "Trends", Bars: &bars{Label: "Active installations per day", Values: t.ActiveInstallations}}
	for i, d := range t.Days {
		s.Bars.Days = append(s.Bars.Days, weekday(i)+" "+d[5:])
		s.Bars.Max = max(s.Bars.Max, t.ActiveInstallations[i])
	}
	// A version losing share to a newer one is no bad news: its changes
	// are not coloured.
	for _, x := range []struct {
		heading, name string
		shares        []Share
		judged        bool
	}{{"Version adoption", "Version", t.VersionAdoption, false}, {"Feature adoption", "Feature", t.FeatureAdoption, true}} {
		if len(x.shares) == 0 {
			continue
		}
		tb := table{Heading: x.heading, Columns: []string{x.name, "Installations", "Share", "Change"}}
		for _, sh := range x.shares {
			tb.Rows = append(tb.Rows, []string{sh.Name, dashboard.FormatCount(int64(sh.Installations)), dashboard.FormatPct(&sh.Pct), sh.Text})
			if x.judged {
				tb.Trends = append(tb.Trends, sh.Trend)
			}
		}
		s.Tables = append(s.Tables, tb)
	}
	return s
}

func weekday(i int) string { return []string{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}[i%7] }

func insightsSection(in Insights) section {
	s := section{Heading: "Insights"}
	add := func(t table) {
		if len(t.Rows) > 0 {
			s.Tables = append(s.Tables, t)
		}
	}
	t := table{Heading: "Top features by priority", Columns: []string{"Feature", "Score", "Installations"}}
	for _, f := range in.TopFeatures {
		t.Rows = append(t.Rows, []string{f.Feature, dashboard.FormatDecimal(f.Score), dashboard.FormatCount(int64(f.Installations))})
	}
	add(t)
	t = table{Heading: "Algorithms needing work", Columns: []string{"Algorithm", "Action", "Success rate", "Average improvement", "Installations"}}
	for _, a := range in.AlgorithmsNeedingWork {
		t.Rows = append(t.Rows, []string{a.Algorithm, a.Action, dashboard.FormatOptDecimal(a.SuccessRate),
			dashboard.FormatPct(a.AvgImprovementPct), dashboard.FormatCount(int64(a.Installations))})
	}
	add(t)
	t = table{Heading: "Error groups new or growing", Columns: []string{"Error", "Status", "Reports", "Week before", "Installations"}}
	for _, g := range in.ErrorGroups {
		t.Rows = append(t.Rows, []string{g.ErrorType + ": " + clip(g.Message, 60), g.Status, dashboard.FormatCount(g.Count),
			dashboard.FormatCount(g.PreviousCount), dashboard.FormatCount(int64(g.InstallationsAffected))})
	}
	add(t)
	t = table{Heading: "Release health", Columns: []string{"Version", "Stage", "First seen", "Adoption", "Error rate", "Recommendation"}}
	for _, r := range in.Releases {
		t.Rows = append(t.Rows, []string{r.Version, r.Stage, r.FirstSeen, dashboard.FormatRate(&r.Adoption), dashboard.FormatRate(r.ErrorRate), r.Recommendation})
	}
	add(t)
	t = table{Heading: "Anomalies", Columns: []string{"Day", "Metric", "Scope", "Value", "Expected", "Severity"}}
	for _, a := range in.Anomalies {
		t.Rows = append(t.Rows, []string{a.Day, a.Metric, a.Scope, num(a.Value), num(a.Expected), a.Severity})
	}
	add(t)
	t = table{Heading: "Experiments that reached a decision", Columns: []string{"Experiment", "Metric", "Decision", "Effect", "Interval"}}
	for _, e := range in.Experiments {
		t.Rows = append(t.Rows, []string{e.Name, e.Metric, e.Decision, dashboard.FormatOptDecimal(e.Estimate),
			dashboard.FormatOptDecimal(e.Low) + " to " + dashboard.FormatOptDecimal(e.High)})
	}
	add(t)
	return s
}

// clip shortens s to n runes, on one line.
func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

func fmtCount(n int64) string { return dashboard.FormatCount(n) }
