package experiment

import (
	"math"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

// tally follows an experiment's installations as their reports are added
// day by day: each installation's running outcome, and per variant the
// sums over installations that give the mean and variance of outcomes at
// any day. Adding a report to an installation replaces its old outcome
// in the sums by the new one, so a whole experiment is one pass.
type tally struct {
	index  map[string]int // variant name -> arm
	arms   []arm
	units  []unit         // in the order they entered
	byNum  map[uint32]int // installation number -> index in units
	ref    float64        // outcomes are summed less ref, to keep the squares small
	hasRef bool
	mixed  int // installations whose reports carried more than one variant
}

// unit is one installation in the experiment.
type unit struct {
	arm      int        // the variant of its first report: it stays there
	entered  rollup.Day // its first report
	measured rollup.Day // its first report that carried the metric
	reports  int64
	sum      float64
	n        int64 // reports that carried the metric
	mixed    bool
}

func (u *unit) outcome() float64 { return u.sum / float64(u.n) }

// arm is one variant's sums.
type arm struct {
	installations int // installations whose first report was of this variant
	measured      int // of those, installations with an outcome
	reports       int64
	sum, sumSq    float64 // of outcome − ref over measured installations
}

func newTally(variants []string) *tally {
	t := &tally{index: make(map[string]int, len(variants)), arms: make([]arm, len(variants)), byNum: map[uint32]int{}}
	for i, v := range variants {
		t.index[v] = i
	}
	return t
}

// add counts one installation-day of reports. Rows must come in day order.
func (t *tally) add(r store.UnitDay) {
	a, ok := t.index[r.Variant]
	if !ok { // a variant the experiment does not have (ingest keeps none)
		return
	}
	i, ok := t.byNum[r.Installation]
	if !ok {
		i = len(t.units)
		t.byNum[r.Installation] = i
		t.units = append(t.units, unit{arm: a, entered: r.Day})
		t.arms[a].installations++
	}
	u := &t.units[i]
	if u.arm != a && !u.mixed {
		u.mixed = true
		t.mixed++
	}
	arm := &t.arms[u.arm] // intention to treat: the first assignment counts
	arm.reports += r.Reports
	u.reports += r.Reports
	if r.N == 0 {
		return
	}
	if u.n > 0 {
		arm.take(u.outcome() - t.ref)
	} else {
		arm.measured++
		u.measured = r.Day
	}
	u.sum += r.Sum
	u.n += r.N
	if !t.hasRef {
		t.ref, t.hasRef = u.outcome(), true
	}
	arm.put(u.outcome() - t.ref)
}

func (a *arm) put(x float64)  { a.sum += x; a.sumSq += x * x }
func (a *arm) take(x float64) { a.sum -= x; a.sumSq -= x * x }

// moments returns the arm's mean and sample variance of outcomes; the
// variance is NaN with fewer than two installations.
func (t *tally) moments(a int) (mean, variance float64) {
	arm := t.arms[a]
	n := float64(arm.measured)
	if n == 0 {
		return math.NaN(), math.NaN()
	}
	mean = arm.sum / n
	variance = math.NaN()
	if n > 1 {
		variance = math.Max(0, (arm.sumSq-arm.sum*mean)/(n-1))
	}
	return t.ref + mean, variance
}

// newlyMeasured counts, per arm, the installations first measured on a
// day from..to.
func (t *tally) newlyMeasured(from, to rollup.Day) []int {
	out := make([]int, len(t.arms))
	for i := range t.units {
		if u := &t.units[i]; u.n > 0 && u.measured >= from && u.measured <= to {
			out[u.arm]++
		}
	}
	return out
}

// reportRates summarises, per arm, the installations' reports per day
// since they entered, as of day to: the reporting rate that a variant
// breaking its reports would lower. (Welford's running moments.)
func (t *tally) reportRates(to rollup.Day) []summary {
	out := make([]summary, len(t.arms))
	for i := range t.units {
		u := &t.units[i]
		s := &out[u.arm]
		x := float64(u.reports) / float64(to-u.entered+1)
		s.n++
		d := x - s.mean
		s.mean += d / s.n
		s.variance += d * (x - s.mean) // the sum of squares until the end
	}
	for i := range out {
		out[i].variance /= max(out[i].n-1, 1)
	}
	return out
}
