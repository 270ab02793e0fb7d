package experiment

import (
	"context"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

// Service is the registry and the analysis over one store: what the HTTP
// API, the dashboard, the CLI and the weekly report call.
type Service struct {
	Store store.Experiments
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// RawRetention is how long raw reports are kept: the longest an
	// experiment may last, and the most its analysis can see.
	RawRetention time.Duration
	// Method is the analysis's method; DefaultMethod when zero.
	Method Method

	cache rowCache // cache.go
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now().UTC()
	}
	return s.Now().UTC()
}

func (s *Service) method() Method {
	if s.Method == (Method{}) {
		return DefaultMethod
	}
	return s.Method
}

// Create checks spec (a *SpecError names the rule it breaks) and stores
// the experiment; store.ErrConflict when the name is taken.
func (s *Service) Create(ctx context.Context, spec Spec) (store.Experiment, error) {
	e, err := spec.experiment(s.now(), s.RawRetention)
	if err != nil {
		return e, err
	}
	if err := s.Store.CreateExperiment(ctx, e); err != nil {
		return e, err
	}
	return e, nil
}

// Stop ends the experiment now (unless it ended before) and returns it;
// store.ErrNotFound when there is none of that name.
func (s *Service) Stop(ctx context.Context, name string) (store.Experiment, error) {
	if err := s.Store.EndExperiment(ctx, name, s.now().Truncate(time.Microsecond)); err != nil {
		return store.Experiment{}, err
	}
	return s.Store.Experiment(ctx, name)
}

// Active returns the experiments running now, what clients assign
// themselves to.
func (s *Service) Active(ctx context.Context) ([]store.Experiment, error) {
	all, err := s.Store.ListExperiments(ctx)
	if err != nil {
		return nil, err
	}
	now := s.now()
	var out []store.Experiment
	for _, e := range all {
		if e.Running(now) {
			out = append(out, e)
		}
	}
	return out, nil
}

// Analyze returns the current analysis of the experiment called name;
// store.ErrNotFound when there is none.
func (s *Service) Analyze(ctx context.Context, name string) (*Analysis, error) {
	e, err := s.Store.Experiment(ctx, name)
	if err != nil {
		return nil, err
	}
	return s.analyze(ctx, e)
}

// All returns every experiment's current analysis, in the registry's
// order (by start): what the dashboard lists and the weekly report reads
// for the experiments that reached a decision.
func (s *Service) All(ctx context.Context) ([]*Analysis, error) {
	list, err := s.Store.ListExperiments(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*Analysis, 0, len(list))
	for _, e := range list {
		a, err := s.analyze(ctx, e)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// analyze reads the experiment's reports of the days it ran that raw
// retention still holds, up to today, and analyses them.
func (s *Service) analyze(ctx context.Context, e store.Experiment) (*Analysis, error) {
	now := s.now()
	today := rollup.DayOf(now)
	from := max(rollup.DayOf(e.Start), today-rollup.Day(s.RawRetention.Hours()/24)+1)
	to := today
	if e.End != nil {
		to = min(to, rollup.DayOf(e.End.Add(-time.Microsecond)))
	}
	var rows []store.UnitDay
	if from <= to {
		var err error
		if rows, err = s.cache.rows(ctx, s.Store, e, from, to, now); err != nil {
			return nil, err
		}
	}
	return s.method().Analyze(e, rows, from, max(to, from-1), now), nil
}
