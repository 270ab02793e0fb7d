package fleet

import (
	"fmt"
	"math"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/experiment/assign"
	"github.com/indexpilot/indexpilot-telemetry/report"
)

// Experiment is a fleet experiment the simulated installations take part
// in, as real clients do: from Start on, each assigns itself with package
// assign (from an experiment id drawn from the seed) and reports its
// variant; Effect, by variant, is added to the performance improvement of
// the installations in it (none for an A/A experiment).
type Experiment struct {
	Name     string
	Variants []string
	Split    []float64
	Start    time.Time
	Effect   map[string]float64
}

// joinExperiments adds to a planned report the assignments of its
// installation to the experiments running at its time, and their effects.
func (p *plan) joinExperiments(pl *Planned) {
	var effect float64
	for _, e := range p.experiments {
		if pl.Time.Before(e.Start) {
			continue
		}
		v := assign.Variant(p.experimentID(pl.Installation), e.Name, e.Variants, e.Split)
		if pl.Report.Metrics.Experiments == nil {
			pl.Report.Metrics.Experiments = map[string]string{}
		}
		pl.Report.Metrics.Experiments[e.Name] = v
		effect += e.Effect[v]
	}
	if len(pl.Report.Metrics.Experiments) == 0 {
		return
	}
	pl.Report.SchemaVersion = 3
	if perf := pl.Report.Metrics.PerformanceImprovementPct; perf != nil && effect != 0 {
		*perf = round2(math.Min(report.MaxImprovement, *perf+effect))
	}
}

// experimentID is installation inst's random experiment id, fixed by the
// seed like everything else about it.
func (p *plan) experimentID(inst int) string {
	r := stream(p.seed, kindExperiment, inst, 0)
	return fmt.Sprintf("%016x%016x", r.Uint64(), r.Uint64())
}
