package server

import (
	"context"
	"slices"

	"github.com/indexpilot/indexpilot-telemetry/internal/store"
	"github.com/indexpilot/indexpilot-telemetry/report"
)

// keepRegistered drops from a decoded report the fleet-experiment
// assignments the registry does not know, a name never registered or a
// variant the experiment does not have, and names them in its ignored
// fields. An experiment that has ended stays known: its analysis reads
// up to its end. Reports without assignments cost nothing here.
func (s *Server) keepRegistered(ctx context.Context, d *report.Decoded) error {
	m := d.Metrics.Experiments
	if len(m) == 0 {
		return nil
	}
	list, err := s.experiments.get(ctx, s.now())
	if err != nil {
		return err
	}
	for name, variant := range m {
		i := slices.IndexFunc(list, func(e store.Experiment) bool { return e.Name == name })
		if i < 0 || !slices.Contains(list[i].Variants, variant) {
			delete(m, name)
			d.Ignored = append(d.Ignored, "metrics.experiments."+name)
		}
	}
	slices.Sort(d.Ignored)
	if len(m) == 0 {
		d.Metrics.Experiments = nil
	}
	return nil
}
