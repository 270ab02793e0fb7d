package experiment

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

// Rules of the registry; docs/experiments.md repeats them.
var (
	namePattern    = regexp.MustCompile(`^[a-z0-9_]{1,48}$`)
	variantPattern = regexp.MustCompile(`^[a-z0-9_]{1,16}$`) // what a report may carry (report's variant rule)
)

// MaxVariants bounds an experiment's variants, the control included.
const MaxVariants = 8

// reserved names would hide a route: GET /api/v1/experiments/active.
var reserved = []string{"active"}

// Spec is a new experiment as a maintainer declares it, through
// POST /api/v1/experiments or `indexpilot-analytics experiments create`.
type Spec struct {
	Name     string    `json:"name"`
	Variants []string  `json:"variants"`        // the first is the control
	Split    []float64 `json:"split,omitempty"` // relative weights; even when absent
	Metric   string    `json:"metric"`
	// HigherIsBetter is the metric's better direction; when absent, the
	// metric's own (higher for performance_improvement_pct and
	// indexes_created, lower for error_rate and latency_p95_ms).
	HigherIsBetter *bool      `json:"higher_is_better,omitempty"`
	MinEffect      float64    `json:"min_effect"` // in the metric's unit
	Start          *time.Time `json:"start,omitempty"`
	End            *time.Time `json:"end,omitempty"`
}

// SpecError is a Spec that breaks a rule: Field names the field, Rule the
// rule.
type SpecError struct {
	Field string
	Rule  string
}

func (e *SpecError) Error() string { return "experiment: " + e.Field + ": " + e.Rule }

func specErr(field, format string, args ...any) *SpecError {
	return &SpecError{Field: field, Rule: fmt.Sprintf(format, args...)}
}

// higherIsBetter is each metric's natural better direction.
var higherIsBetter = map[string]bool{
	store.MetricPerformance: true, store.MetricIndexesCreated: true,
	store.MetricErrorRate: false, store.MetricLatencyP95: false,
}

// experiment checks the spec and returns the experiment to store, created
// at now. An experiment may start at most retention before now (older
// reports are gone) and last at most retention: its analysis reads raw
// reports, which are kept that long.
func (s Spec) experiment(now time.Time, retention time.Duration) (store.Experiment, error) {
	now = now.UTC().Truncate(time.Microsecond)
	e := store.Experiment{Name: s.Name, Variants: s.Variants, Metric: s.Metric, MinEffect: s.MinEffect,
		Start: now, Created: now}
	if err := s.checkNames(); err != nil {
		return e, err
	}
	split, err := s.shares()
	if err != nil {
		return e, err
	}
	e.Split = split
	hib, ok := higherIsBetter[s.Metric]
	if !ok {
		return e, specErr("metric", "must be one of %s", strings.Join(store.ExperimentMetrics, ", "))
	}
	e.HigherIsBetter = hib
	if s.HigherIsBetter != nil {
		e.HigherIsBetter = *s.HigherIsBetter
	}
	if !(s.MinEffect > 0) || math.IsInf(s.MinEffect, 0) {
		return e, specErr("min_effect", "must be a number above 0, in the metric's unit")
	}
	return e, s.period(&e, now, retention)
}

func (s Spec) checkNames() error {
	switch {
	case !namePattern.MatchString(s.Name):
		return specErr("name", "must match %s", namePattern)
	case slices.Contains(reserved, s.Name):
		return specErr("name", "must not be %q (a route's name)", s.Name)
	case len(s.Variants) < 2 || len(s.Variants) > MaxVariants:
		return specErr("variants", "must list 2 to %d variants, the control first", MaxVariants)
	}
	for i, v := range s.Variants {
		if !variantPattern.MatchString(v) {
			return specErr("variants", "each must match %s", variantPattern)
		}
		if slices.Contains(s.Variants[:i], v) {
			return specErr("variants", "must be distinct")
		}
	}
	return nil
}

// shares returns the split as shares that sum to 1.
func (s Spec) shares() ([]float64, error) {
	if len(s.Split) == 0 {
		even := make([]float64, len(s.Variants))
		for i := range even {
			even[i] = 1 / float64(len(even))
		}
		return even, nil
	}
	if len(s.Split) != len(s.Variants) {
		return nil, specErr("split", "must have one weight per variant")
	}
	total := 0.0
	for _, w := range s.Split {
		if !(w > 0) || math.IsInf(w, 0) {
			return nil, specErr("split", "each weight must be a number above 0")
		}
		total += w
	}
	out := make([]float64, len(s.Split))
	for i, w := range s.Split {
		out[i] = w / total
	}
	return out, nil
}

func (s Spec) period(e *store.Experiment, now time.Time, retention time.Duration) error {
	days := int(retention.Hours() / 24)
	if s.Start != nil {
		e.Start = s.Start.UTC().Truncate(time.Microsecond)
		if e.Start.Before(now.Add(-retention)) {
			return specErr("start", "must not be more than the raw-data retention (%d days) ago", days)
		}
	}
	if s.End != nil {
		end := s.End.UTC().Truncate(time.Microsecond)
		switch {
		case !end.After(e.Start):
			return specErr("end", "must be after the start")
		case end.Sub(e.Start) > retention:
			return specErr("end", "must be at most the raw-data retention (%d days) after the start", days)
		}
		e.End = &end
	}
	return nil
}
