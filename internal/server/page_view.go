package server

import (
	"net/url"
	"strconv"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/dashboard"
)

// The overview page's view: its figures, tables and headings as written
// for people (numbers by package dashboard's formats). The template renders
// it, and the page's script refreshes from it as JSON
// (GET /api/v1/dashboard/overview/view), so that every number, heading and
// note is written in one place, here.

// Refresh bounds of the page's ?refresh= (seconds); the default is the
// issue's 30 s.
const (
	defaultRefresh = 30
	maxRefresh     = 3600
)

// overviewView is what the page shows of an Overview.
type overviewView struct {
	Overview *dashboard.Overview `json:"overview"` // the numbers, for the charts
	Period   string              `json:"period"`   // which days (and version) the figures are of
	Previous string              `json:"previous"` // the days they are compared with
	Cards    []card              `json:"cards"`
	Charts   []chartView         `json:"charts"`
}

func newOverviewView(ov *dashboard.Overview) *overviewView {
	v := &overviewView{Overview: ov, Period: ov.From + " to " + ov.To + " (UTC)", Previous: ov.PreviousFrom + " to " + ov.PreviousTo,
		Cards: cards(ov), Charts: chartViews(ov)}
	if ov.Version != "" {
		v.Period += ", version " + ov.Version
	}
	return v
}

type overviewPage struct {
	*overviewView
	Ov            *dashboard.Overview
	Error         string
	Refresh       int
	DefaultDays   int    // the period when the URL names none
	OtherVersions string // the name of the series of the versions not named
	Periods       []option
	Custom        bool
	From, To      string
	Versions      []option
	Updated       string // RFC 3339
	UpdatedText   string
}

type option struct {
	Value, Label string
	Selected     bool
}

// card is one key figure with its change against the previous period.
type card struct {
	ID     string `json:"id"`
	Label  string `json:"label"`
	Value  string `json:"value"`
	Change string `json:"change"`
	Trend  string `json:"trend"`
}

func newCard(id, label string, c dashboard.Change) card {
	return card{ID: id, Label: label, Value: c.Value, Change: c.Change, Trend: c.Trend}
}

// chartView is a chart's frame and its numbers as a table.
type chartView struct {
	ID    string     `json:"id"`
	Title string     `json:"title"`
	Desc  string     `json:"desc"`
	Note  string     `json:"note"`
	Empty bool       `json:"empty"`
	Head  []string   `json:"head"`
	Rows  [][]string `json:"rows"`
}

func newOverviewPage(ov *dashboard.Overview, v url.Values, problem string, now time.Time) *overviewPage {
	p := &overviewPage{overviewView: newOverviewView(ov), Ov: ov, Error: problem, Refresh: defaultRefresh,
		DefaultDays: dashboard.ActiveWindow, OtherVersions: dashboard.OtherVersions, From: ov.From, To: ov.To,
		Updated: now.UTC().Format(time.RFC3339), UpdatedText: now.UTC().Format("15:04:05") + " UTC"}
	if n, err := strconv.Atoi(v.Get("refresh")); err == nil && n >= 1 && n <= maxRefresh {
		p.Refresh = n
	}
	p.Custom = problem == "" && (v.Get("days") == "custom" || (v.Get("days") == "" && v.Get("from") != ""))
	p.Periods = periodOptions(ov.Days, p.Custom)
	p.Versions = versionOptions(ov.Versions, ov.Version)
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
	last := newCard("reports_last_day", "Reports today", dashboard.CountChange(f.ReportsLastDay, p.ReportsLastDay))
	if ov.To != ov.Today {
		last.Label = "Reports on " + ov.To
	} else {
		// A day in progress compared with a whole day says nothing.
		last.Change, last.Trend = "day in progress", dashboard.TrendFlat
	}
	count := func(id, label string, cur, prev int64) card {
		return newCard(id, label, dashboard.CountChange(cur, prev))
	}
	return []card{
		count("total_installations", "Installations (all time)", int64(f.TotalInstallations), int64(p.TotalInstallations)),
		count("active_installations", "Active installations", int64(f.ActiveInstallations), int64(p.ActiveInstallations)),
		last,
		count("reports", "Reports", f.Reports, p.Reports),
		count("total_indexes_created", "Indexes created", f.TotalIndexesCreated, p.TotalIndexesCreated),
		newCard("avg_performance_improvement", "Avg. improvement",
			dashboard.PctChange(f.AvgPerformanceImprovement, p.AvgPerformanceImprovement, true)),
		newCard("error_rate_pct", "Error rate (reports with errors)", dashboard.PctChange(f.ErrorRatePct, p.ErrorRatePct, false)),
	}
}
