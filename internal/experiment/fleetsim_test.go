package experiment

import (
	"math"
	"math/rand/v2"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

// fleetSim is a simulated experiment over a fleet whose installations
// differ from one another far more than from day to day, as real ones do
// (one runs a read-heavy shop, another a reporting warehouse): each has
// its own baseline, drawn with heavy tails, and small daily noise around
// it. Installations enter over the period: half are there at the start,
// the rest join at random days, and each reports on a share of days of
// its own.
type fleetSim struct {
	installations int
	days          int
	baseline      float64 // mean of the installations' baselines
	baselineSD    float64 // spread of the baselines
	dailySD       float64 // one installation's day-to-day noise
	effect        float64 // added to every report of the treatment
	// The treatment's broken reporting: a share of its installations whose
	// reports never arrive, or a share of its reports lost at random.
	lostInstallations, lostReports float64
}

// standard is the simulation the documented figures are of.
var standard = fleetSim{installations: 1600, days: 30, baseline: 20, baselineSD: 10, dailySD: 2}

// experiment is the registry entry the simulations analyse.
func (f fleetSim) experiment(minEffect float64) store.Experiment {
	return store.Experiment{Name: "sim", Variants: []string{"control", "treatment"}, Split: []float64{0.5, 0.5},
		Metric: store.MetricPerformance, HigherIsBetter: true, MinEffect: minEffect, Start: simStart}
}

var simStart = time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)

// rows simulates one run: the experiment's reports per installation and
// day, in day order, as the store returns them.
func (f fleetSim) rows(seed uint64) []store.UnitDay {
	r := rand.New(rand.NewPCG(seed, 0x13))
	type inst struct {
		join        int
		reliability float64
		baseline    float64
		treated     bool
		lost        bool
	}
	fleet := make([]inst, f.installations)
	for i := range fleet {
		in := &fleet[i]
		if r.Float64() < 0.5 {
			in.join = r.IntN(f.days)
		}
		in.reliability = 0.3 + 0.7*r.Float64()
		in.baseline = f.baseline + f.baselineSD*studentT5(r)
		in.treated = r.Float64() < 0.5
		in.lost = in.treated && r.Float64() < f.lostInstallations
	}
	first := rollup.DayOf(simStart)
	out := make([]store.UnitDay, 0, f.installations*f.days*2/3)
	for d := range f.days {
		for i, in := range fleet {
			if d < in.join || r.Float64() >= in.reliability || in.lost {
				continue
			}
			if in.treated && r.Float64() < f.lostReports {
				continue
			}
			u := store.UnitDay{Installation: uint32(i), Day: first + rollup.Day(d), Variant: "control", Reports: 1, N: 1,
				Sum: in.baseline + f.dailySD*r.NormFloat64()}
			if in.treated {
				u.Variant, u.Sum = "treatment", u.Sum+f.effect
			}
			out = append(out, u)
		}
	}
	return out
}

// studentT5 draws Student's t with 5 degrees of freedom scaled to unit
// variance: a bell with heavier tails than the normal.
func studentT5(r *rand.Rand) float64 {
	chi := 0.0
	for range 5 {
		z := r.NormFloat64()
		chi += z * z
	}
	return r.NormFloat64() / math.Sqrt(chi/5) / math.Sqrt(5.0/3)
}

// perReport turns rows into what an analysis that counts each report as
// independent sees: every report its own unit. It is the trap the
// analysis avoids, kept here to show that it fails.
func perReport(rows []store.UnitDay) []store.UnitDay {
	out := make([]store.UnitDay, len(rows))
	for i, u := range rows {
		u.Installation = uint32(i)
		out[i] = u
	}
	return out
}

// analyze runs the analysis over the whole simulated period.
func (f fleetSim) analyze(rows []store.UnitDay, minEffect float64) *Analysis {
	first := rollup.DayOf(simStart)
	last := first + rollup.Day(f.days-1)
	return DefaultMethod.Analyze(f.experiment(minEffect), rows, first, last, last.Time().Add(23*time.Hour))
}

// firstDecision returns the first day (1 = the first) whose history
// shows a decision other than keep_running and insufficient_data, and
// that decision; 0 and "" when none.
func firstDecision(a *Analysis) (int, string) {
	for i, d := range a.History {
		if d.Decision != KeepRunning && d.Decision != InsufficientData {
			return i + 1, d.Decision
		}
	}
	return 0, ""
}

// declaredDifferent reports whether any day of the history said that one
// variant is better: what a maintainer who looks daily would act on.
func declaredDifferent(a *Analysis) bool {
	for _, d := range a.History {
		if d.Decision == TreatmentBetter || d.Decision == ControlBetter {
			return true
		}
	}
	return false
}
