package main

import (
	"fmt"
	"strconv"

	"github.com/indexpilot/indexpilot-telemetry/internal/insights"
)

// defaultInsights are the insights options' defaults, defined once in
// package insights.
var defaultInsights = insights.DefaultSettings()

func fmtFloat(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// insightSettings validates the feature-priority and algorithm options.
func (v values) insightSettings() (insights.Settings, error) {
	var s insights.Settings
	var err error
	if s.Weights, err = insights.ParseWeights(*v["priority-weights"]); err != nil {
		return s, fmt.Errorf("--priority-weights: %w", err)
	}
	t := &s.Thresholds
	if t.MinSuccessRate, err = v.float("algorithm-min-success-rate"); err != nil {
		return s, err
	}
	if t.MinImprovementPct, err = strconv.ParseFloat(*v["algorithm-min-improvement"], 64); err != nil {
		return s, fmt.Errorf("--algorithm-min-improvement: %q is not a number", *v["algorithm-min-improvement"])
	}
	if t.MinInstallations, err = v.int("algorithm-min-installations"); err != nil {
		return s, err
	}
	if err := t.Validate(); err != nil {
		return s, fmt.Errorf("--algorithm-*: %w", err)
	}
	return s, nil
}
