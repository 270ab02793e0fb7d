package weekly

import (
	"context"
	"fmt"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/dashboard"
	"github.com/indexpilot/indexpilot-telemetry/internal/insights"
)

// Builder builds reports from the readers the API and the dashboard use.
type Builder struct {
	Model     *dashboard.Service  // summary, trends, error groups
	Decisions *insights.Decisions // priorities and algorithm advice
	Health    *insights.Health    // release health and anomalies
	// RawRetention is the experiment service's (server.Config's): how
	// far back an analysis may look.
	RawRetention time.Duration
}

// Build returns the report of week (a dashboard.WeekOf period). It does
// not depend on when it is built: a week's report is the same on Monday
// and a month later, while the rollups and raw reports are kept.
func (b *Builder) Build(ctx context.Context, week dashboard.Period) (*Report, error) {
	prev := week.Previous()
	r := &Report{Week: Name(week), Start: week.From.String(), End: week.To.String(),
		PreviousStart: prev.From.String(), PreviousEnd: prev.To.String(), Recommendations: []Recommendation{}}
	cur, err := b.Model.Overview(ctx, week.To.Time(), dashboard.OverviewQuery{Period: week})
	if err != nil {
		return nil, fmt.Errorf("weekly: %s: %w", r.Week, err)
	}
	before, err := b.Model.Overview(ctx, prev.To.Time(), dashboard.OverviewQuery{Period: prev})
	if err != nil {
		return nil, fmt.Errorf("weekly: %s: the week before: %w", r.Week, err)
	}
	r.Summary, r.Changes = summary(cur.Figures, cur.Previous)
	r.Trends = trends(cur, before)
	if r.Empty() {
		return r, nil // nothing to find in a week without a report
	}
	if r.Insights, err = b.insights(ctx, week); err != nil {
		return nil, fmt.Errorf("weekly: %s: %w", r.Week, err)
	}
	r.Recommendations = recommend(r)
	return r, nil
}

// summary is the seed's summary from the overview's figures, and each
// figure's change against the week before's.
func summary(f, p dashboard.Figures) (Summary, map[string]Change) {
	s := Summary{NewInstallations: f.NewInstallations, TotalInstallations: f.TotalInstallations,
		ActiveInstallations: f.ActiveInstallations, Reports: f.Reports, IndexesCreated: f.TotalIndexesCreated,
		AvgPerformanceImprovement: f.AvgPerformanceImprovement}
	return s, map[string]Change{
		"new_installations":           countChange(int64(f.NewInstallations), int64(p.NewInstallations)),
		"total_installations":         countChange(int64(f.TotalInstallations), int64(p.TotalInstallations)),
		"active_installations":        countChange(int64(f.ActiveInstallations), int64(p.ActiveInstallations)),
		"reports":                     countChange(f.Reports, p.Reports),
		"indexes_created":             countChange(f.TotalIndexesCreated, p.TotalIndexesCreated),
		"avg_performance_improvement": pctChange(f.AvgPerformanceImprovement, p.AvgPerformanceImprovement),
	}
}

func countChange(cur, prev int64) Change {
	c := dashboard.CountChange(cur, prev)
	p, d := float64(prev), float64(cur-prev)
	return Change{Previous: &p, Difference: &d, Text: c.Change, Trend: c.Trend}
}

func pctChange(cur, prev *float64) Change {
	c := dashboard.PctChange(cur, prev, true)
	out := Change{Previous: prev, Text: c.Change, Trend: c.Trend}
	if cur != nil && prev != nil {
		d := *cur - *prev
		out.Difference = &d
	}
	return out
}

// trends are the week's series from its overview, and its shares beside
// the week before's.
func trends(cur, before *dashboard.Overview) Trends {
	t := Trends{Days: cur.Day, ActiveInstallations: cur.ActiveByDay}
	if cur.Figures.Reports == 0 {
		return t
	}
	t.VersionsByDay = cur.VersionByDay
	t.VersionAdoption = shares(cur.VersionAdoption, before.VersionAdoption)
	t.FeatureAdoption = shares(cur.FeatureAdoption, before.FeatureAdoption)
	return t
}

// shares pairs each of cur with its share in prev.
func shares(cur, prev []dashboard.Adoption) []Share {
	before := map[string]float64{}
	for _, a := range prev {
		before[a.Name] = a.Pct
	}
	var out []Share
	for _, a := range cur {
		s := Share{Name: a.Name, Installations: a.Installations, Pct: a.Pct}
		var p *float64
		if v, ok := before[a.Name]; ok {
			p = &v
			s.PreviousPct = p
		}
		c := dashboard.PctChange(&a.Pct, p, true)
		s.Text, s.Trend = c.Change, c.Trend
		out = append(out, s)
	}
	return out
}
