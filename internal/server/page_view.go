package server

import (
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/dashboard"
)

// The overview page's view: what the template shows before the script
// runs. web/static/dashboard.js builds the same cards and tables from the
// JSON with the same formatting rules (formatCount, formatPct, the change
// texts), so the numbers do not change when it takes over.

// Refresh bounds of the page's ?refresh= (seconds); the default is the
// issue's 30 s.
const (
	defaultRefresh = 30
	maxRefresh     = 3600
)

type overviewPage struct {
	Ov          *dashboard.Overview
	Error       string
	Refresh     int
	Periods     []option
	Custom      bool
	From, To    string
	Versions    []option
	Cards       []card
	Charts      []chartView
	Updated     string // RFC 3339
	UpdatedText string
}

type option struct {
	Value, Label string
	Selected     bool
}

// card is one key figure with its change against the previous period.
type card struct {
	ID, Label, Value, Change, Trend string
}

// chartView is a chart's frame and its numbers as a table.
type chartView struct {
	ID, Title, Desc, Note string
	Empty                 bool
	Head                  []string
	Rows                  [][]string
}

func newOverviewPage(ov *dashboard.Overview, v url.Values, problem string, now time.Time) *overviewPage {
	p := &overviewPage{Ov: ov, Error: problem, Refresh: defaultRefresh, From: ov.From, To: ov.To,
		Updated: now.UTC().Format(time.RFC3339), UpdatedText: now.UTC().Format("15:04:05") + " UTC"}
	if n, err := strconv.Atoi(v.Get("refresh")); err == nil && n >= 1 && n <= maxRefresh {
		p.Refresh = n
	}
	p.Custom = problem == "" && (v.Get("days") == "custom" || (v.Get("days") == "" && v.Get("from") != ""))
	p.Periods = periodOptions(ov.Days, p.Custom)
	p.Versions = versionOptions(ov.Versions, ov.Version)
	p.Cards = cards(ov)
	p.Charts = chartViews(ov)
	return p
}

func periodOptions(days int, custom bool) []option {
	out := []option{}
	found := false
	for _, n := range []int{7, 30, 90} {
		sel := !custom && n == days
		found = found || sel
		out = append(out, option{Value: strconv.Itoa(n), Label: "Last " + strconv.Itoa(n) + " days", Selected: sel})
	}
	if !custom && !found {
		out = append(out, option{Value: strconv.Itoa(days), Label: "Last " + strconv.Itoa(days) + " days", Selected: true})
	}
	return append(out, option{Value: "custom", Label: "Custom…", Selected: custom})
}

func versionOptions(versions []string, selected string) []option {
	out := []option{{Value: "", Label: "All versions", Selected: selected == ""}}
	found := false
	for _, v := range versions {
		found = found || v == selected
		out = append(out, option{Value: v, Label: v, Selected: v == selected})
	}
	if selected != "" && !found {
		out = append(out, option{Value: selected, Label: selected, Selected: true})
	}
	return out
}

func cards(ov *dashboard.Overview) []card {
	f, p := ov.Figures, ov.Previous
	lastDay := "Reports today"
	if ov.To != ov.Today {
		lastDay = "Reports on " + ov.To
	}
	last := countCard("reports_last_day", lastDay, f.ReportsLastDay, p.ReportsLastDay)
	if ov.To == ov.Today {
		// A day in progress compared with a whole day says nothing.
		last.Change, last.Trend = "day in progress", "flat"
	}
	return []card{
		countCard("total_installations", "Installations (all time)", int64(f.TotalInstallations), int64(p.TotalInstallations)),
		countCard("active_installations", "Active installations", int64(f.ActiveInstallations), int64(p.ActiveInstallations)),
		last,
		countCard("reports", "Reports", f.Reports, p.Reports),
		countCard("total_indexes_created", "Indexes created", f.TotalIndexesCreated, p.TotalIndexesCreated),
		pctCard("avg_performance_improvement", "Avg. improvement", f.AvgPerformanceImprovement, p.AvgPerformanceImprovement, true),
		pctCard("error_rate_pct", "Error rate (reports with errors)", f.ErrorRatePct, p.ErrorRatePct, false),
	}
}

func countCard(id, label string, cur, prev int64) card {
	c := card{ID: id, Label: label, Value: formatCount(cur), Trend: trend(float64(cur-prev), true)}
	d := cur - prev
	c.Change = signed(float64(d), formatCount(abs(d)))
	if prev != 0 {
		r := float64(d) / float64(prev) * 100
		c.Change += " (" + signed(round1(r), formatPlain(math.Abs(r))) + " %)"
	}
	return c
}

func pctCard(id, label string, cur, prev *float64, higherIsBetter bool) card {
	c := card{ID: id, Label: label, Value: formatPct(cur), Change: "–", Trend: "flat"}
	if cur != nil && prev != nil {
		d := round1(*cur - *prev)
		c.Change = signed(d, formatPlain(math.Abs(d))) + " pp"
		c.Trend = trend(d, higherIsBetter)
	}
	return c
}

func trend(d float64, higherIsBetter bool) string {
	switch {
	case d == 0:
		return "flat"
	case (d > 0) == higherIsBetter:
		return "good"
	}
	return "bad"
}

// signed puts the sign of d before text: "+", "−" (U+2212) or "±".
func signed(d float64, text string) string {
	switch {
	case d > 0:
		return "+" + text
	case d < 0:
		return "\u2212" + text
	}
	return "±" + text
}

func abs(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

// round1 rounds half away from zero to one decimal, as the script does,
// and never returns negative zero.
func round1(f float64) float64 {
	r := math.Round(f*10) / 10
	if r == 0 {
		return 0
	}
	return r
}

// formatPlain is f with one decimal.
func formatPlain(f float64) string { return strconv.FormatFloat(round1(f), 'f', 1, 64) }

// formatPct is a percentage with one decimal, or "–" when undefined.
func formatPct(f *float64) string {
	if f == nil {
		return "–"
	}
	return formatPlain(*f) + " %"
}

// formatCount groups thousands with commas.
func formatCount(n int64) string {
	s := strconv.FormatInt(abs(n), 10)
	var b strings.Builder
	if n < 0 {
		b.WriteString("-")
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func formatOptCount(n *int64) string {
	if n == nil {
		return "–"
	}
	return formatCount(*n)
}

func formatDecimal(f float64) string { return strconv.FormatFloat(math.Round(f*100)/100, 'f', 2, 64) }
