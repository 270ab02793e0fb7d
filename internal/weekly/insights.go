package weekly

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/dashboard"
	"github.com/indexpilot/indexpilot-telemetry/internal/errorgroup"
	"github.com/indexpilot/indexpilot-telemetry/internal/experiment"
	"github.com/indexpilot/indexpilot-telemetry/internal/insights"
	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

// Bounds of the lists in a report: it is read, not searched.
const (
	maxFeatures    = 5
	maxErrorGroups = 5
	maxAnomalies   = 10
)

// insights reads the week's findings, each as its API answers it for the
// same days (see the doc of each call).
func (b *Builder) insights(ctx context.Context, week dashboard.Period) (Insights, error) {
	var in Insights
	steps := []struct {
		what string
		fn   func() error
	}{
		{"features", func() (err error) { in.TopFeatures, err = b.topFeatures(ctx, week); return err }},
		{"algorithms", func() (err error) { in.AlgorithmsNeedingWork, err = b.algorithms(ctx, week); return err }},
		{"error groups", func() (err error) { in.ErrorGroups, err = b.errorGroups(ctx, week); return err }},
		{"releases", func() (err error) { in.Releases, err = b.releases(ctx, week); return err }},
		{"anomalies", func() (err error) { in.Anomalies, err = b.anomalies(ctx, week); return err }},
		{"experiments", func() (err error) { in.Experiments, err = b.experiments(ctx, week); return err }},
	}
	for _, s := range steps {
		if err := s.fn(); err != nil {
			return in, fmt.Errorf("%s: %w", s.what, err)
		}
	}
	return in, nil
}

// topFeatures are the week's features by priority score, as
// /api/v1/insights/features gives them for the week's days.
func (b *Builder) topFeatures(ctx context.Context, week dashboard.Period) ([]insights.Priority, error) {
	ans, err := b.Decisions.Features(ctx, week)
	if err != nil {
		return nil, err
	}
	return ans.Features[:min(maxFeatures, len(ans.Features))], nil
}

// algorithms are those /api/v1/insights/algorithms advises to improve or
// optimize over the week's days.
func (b *Builder) algorithms(ctx context.Context, week dashboard.Period) ([]insights.Advice, error) {
	ans, err := b.Decisions.Algorithms(ctx, week)
	if err != nil {
		return nil, err
	}
	var out []insights.Advice
	for _, a := range ans.Algorithms {
		if a.Action == insights.ActionImprove || a.Action == insights.ActionOptimize {
			out = append(out, a)
		}
	}
	return out, nil
}

// errorGroups are the groups of the week, as /api/v1/errors/groups
// summarizes them for its days, that are new (first seen in the week) or
// growing (more reports than the week before), the most frequent first.
func (b *Builder) errorGroups(ctx context.Context, week dashboard.Period) ([]ErrorGroup, error) {
	cur, err := b.groups(ctx, week)
	if err != nil {
		return nil, err
	}
	prev, err := b.groups(ctx, week.Previous())
	if err != nil {
		return nil, err
	}
	before := map[string]int64{}
	for _, g := range prev {
		before[g.Fingerprint] = g.Count
	}
	var out []ErrorGroup
	for _, g := range cur {
		eg := ErrorGroup{Group: g, PreviousCount: before[g.Fingerprint]}
		switch {
		case week.Contains(rollup.DayOf(g.FirstSeen)):
			eg.Status = GroupNew
		case g.Count > eg.PreviousCount:
			eg.Status = GroupGrowing
		default:
			continue
		}
		out = append(out, eg)
	}
	return out[:min(maxErrorGroups, len(out))], nil
}

// groups summarizes the error groups of p, the most frequent first.
func (b *Builder) groups(ctx context.Context, p dashboard.Period) ([]errorgroup.Group, error) {
	w, err := b.Model.Store.ErrorWindow(ctx, store.ErrorQuery{From: p.From, To: p.To, Groups: true})
	if err != nil {
		return nil, err
	}
	return errorgroup.Summarize(w, ""), nil
}

// releases are the versions /api/v1/insights/releases judges over the
// week's days that were released (first seen) or adopted in the week, or
// that it recommends rolling back.
func (b *Builder) releases(ctx context.Context, week dashboard.Period) ([]insights.Release, error) {
	cur, err := b.Health.Releases(ctx, week.To.Time(), week.Days())
	if err != nil {
		return nil, err
	}
	prev, err := b.Health.Releases(ctx, week.Previous().To.Time(), week.Days())
	if err != nil {
		return nil, err
	}
	adoptedBefore := map[string]bool{}
	for _, r := range prev.Releases {
		adoptedBefore[r.Version] = r.Stage != insights.StageNew
	}
	var out []insights.Release
	for _, r := range cur.Releases {
		first, err := time.Parse(time.DateOnly, r.FirstSeen)
		released := err == nil && week.Contains(rollup.DayOf(first))
		adopted := r.Stage == insights.StageAdopted && !adoptedBefore[r.Version]
		if released || adopted || r.Recommendation == insights.Rollback {
			out = append(out, r)
		}
	}
	return out, nil
}

// anomalies are those /api/v1/insights/anomalies finds in the week's
// days, judged on the Monday after: high severity first, then newest.
func (b *Builder) anomalies(ctx context.Context, week dashboard.Period) ([]insights.Anomaly, error) {
	ans, err := b.Health.Anomalies(ctx, (week.To + 1).Time(), week.Days())
	if err != nil {
		return nil, err
	}
	out := slices.Clone(ans.Anomalies)
	slices.SortStableFunc(out, func(a, b insights.Anomaly) int {
		return boolFirst(a.Severity == insights.SeverityHigh, b.Severity == insights.SeverityHigh)
	})
	return out[:min(maxAnomalies, len(out))], nil
}

// experiments are the experiments running during the week whose analysis,
// as of the week's end (what /api/v1/experiments answers then), reached a
// decision.
func (b *Builder) experiments(ctx context.Context, week dashboard.Period) ([]Experiment, error) {
	end := (week.To + 1).Time().Add(-time.Microsecond)
	svc := &experiment.Service{Store: b.Model.Store, Now: func() time.Time { return end }, RawRetention: b.RawRetention}
	all, err := svc.All(ctx)
	if err != nil {
		return nil, err
	}
	var out []Experiment
	for _, a := range all {
		ran := a.Start.Before(end) && (a.End == nil || !a.End.Before(week.From.Time()))
		if !ran || !decided(a.Decision) {
			continue
		}
		e := Experiment{Name: a.Name, Metric: a.Metric, Status: a.Status, Decision: a.Decision}
		if a.Effect != nil {
			e.Estimate, e.Low, e.High = a.Effect.Estimate, a.Effect.Low, a.Effect.High
		}
		out = append(out, e)
	}
	return out, nil
}

// decided reports whether an analysis's decision is final.
func decided(d string) bool {
	return d == experiment.TreatmentBetter || d == experiment.ControlBetter || d == experiment.NoDifference
}

func boolFirst(a, b bool) int {
	switch {
	case a && !b:
		return -1
	case b && !a:
		return 1
	}
	return 0
}
