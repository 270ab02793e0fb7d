package main

import (
	"context"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/database"
	"github.com/indexpilot/indexpilot-telemetry/internal/experiment"
	"github.com/indexpilot/indexpilot-telemetry/internal/fleet"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

// demoExperiment is one of the demo's fleet experiments: how the fleet
// behaves in it and what the maintainers registered.
type demoExperiment struct {
	fleet     fleet.Experiment
	minEffect float64
}

// demoExperiments are the demo's two experiments of the last 30 days, so
// that the Experiments view shows both outcomes: cert_threshold_v2, whose
// treatment raises the estimated improvement by 8 points, and the A/A
// explain_sampling_aa, whose variants behave the same. The demo fleet's
// installations differ by about 10 points from one another (what the
// Insights page finds adds to it), so with some 130 installations a
// variant the always-valid interval is about ±4 points wide: an effect of
// 8 is found, and the A/A is told apart from a difference of 6.
func demoExperiments(now time.Time) []demoExperiment {
	start := now.UTC().Truncate(24 * time.Hour).Add(-29 * 24 * time.Hour)
	even := []float64{0.5, 0.5}
	variants := []string{"control", "treatment"}
	return []demoExperiment{
		{fleet.Experiment{Name: "cert_threshold_v2", Variants: variants, Split: even, Start: start,
			Effect: map[string]float64{"treatment": 8}}, 2},
		{fleet.Experiment{Name: "explain_sampling_aa", Variants: variants, Split: even, Start: start}, 6},
	}
}

// registerDemoExperiments registers the experiments as a maintainer
// would, and returns what the fleet needs of them.
func registerDemoExperiments(ctx context.Context, dsn string, exps []demoExperiment) ([]fleet.Experiment, error) {
	st, err := database.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	svc := &experiment.Service{Store: st, RawRetention: time.Duration(fleet.MaxDays) * 24 * time.Hour}
	var out []fleet.Experiment
	for _, e := range exps {
		start := e.fleet.Start
		if _, err := svc.Create(ctx, experiment.Spec{Name: e.fleet.Name, Variants: e.fleet.Variants, Split: e.fleet.Split,
			Metric: store.MetricPerformance, MinEffect: e.minEffect, Start: &start}); err != nil {
			return nil, err
		}
		out = append(out, e.fleet)
	}
	return out, nil
}
