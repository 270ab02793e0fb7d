package insights

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/stat/distuv"
)

// Actions an algorithm's advice can carry, most urgent first.
const (
	ActionImprove      = "improve"           // its success rate is clearly below the threshold
	ActionOptimize     = "optimize"          // its improvement is clearly below the threshold
	ActionOK           = "ok"                // neither is clearly below
	ActionInsufficient = "insufficient_data" // too few installations to say
)

// Thresholds decide an algorithm's action. The defaults are the seed
// design's thresholds; see DefaultThresholds.
type Thresholds struct {
	// MinSuccessRate: improve when the success rate's upper 95 % bound is
	// below it.
	MinSuccessRate float64 `json:"min_success_rate"`
	// MinImprovementPct: optimize when the average improvement's upper 95 %
	// bound is below it (percent).
	MinImprovementPct float64 `json:"min_improvement_pct"`
	// MinInstallations: insufficient_data below this many installations.
	MinInstallations int `json:"min_installations"`
}

// DefaultMinInstallations is the fewest installations an algorithm needs
// for an action. With ten, the interval of a rate (taken per installation,
// see Advise) is already ±0.2–0.3 wide; with fewer, one installation's
// habits decide the verdict, and a group that small is too easy to single
// out.
const DefaultMinInstallations = 10

// DefaultThresholds returns the seed design's thresholds: a success rate
// under 0.7 and an average improvement under 10 %.
func DefaultThresholds() Thresholds {
	return Thresholds{MinSuccessRate: 0.7, MinImprovementPct: 10, MinInstallations: DefaultMinInstallations}
}

// Validate checks that the thresholds mean something.
func (t Thresholds) Validate() error {
	switch {
	case t.MinSuccessRate < 0 || t.MinSuccessRate > 1 || math.IsNaN(t.MinSuccessRate):
		return fmt.Errorf("insights: minimum success rate %v is not between 0 and 1", t.MinSuccessRate)
	case t.MinImprovementPct < -100 || t.MinImprovementPct > 100 || math.IsNaN(t.MinImprovementPct):
		return fmt.Errorf("insights: minimum improvement %v is not between -100 and 100 (%%)", t.MinImprovementPct)
	case t.MinInstallations < 1:
		return fmt.Errorf("insights: minimum installations %d is not at least 1", t.MinInstallations)
	}
	return nil
}

// Moments sum performance_improvement_pct over some reports.
type Moments struct {
	SumPct   float64 // Σx
	SumSqPct float64 // Σx², meaningful only when Squares is set
	Reports  int64   // how many carried one
	// Squares is set when SumSqPct covers every report: without it the
	// mean has no interval.
	Squares bool
}

// AlgorithmUse is what the rollups tell of one algorithm over a window.
type AlgorithmUse struct {
	Name          string
	Uses          int64  // runs (consultations)
	Decisions     int64  // runs whose advice decided the outcome
	Installations uint64 // installations that ran it
	// Improvement is of the reports that counted its decisions, from
	// DecidingInstallations installations.
	Improvement           Moments
	DecidingInstallations uint64
}

// Advice is one algorithm's figures and action.
type Advice struct {
	Algorithm     string `json:"algorithm"`
	Uses          int64  `json:"uses"`
	Decisions     int64  `json:"decisions"`
	Installations uint64 `json:"installations"`
	// SuccessRate is decisions per use, with its Wilson 95 % interval;
	// null without uses.
	SuccessRate     *float64 `json:"success_rate"`
	SuccessRateLow  *float64 `json:"success_rate_low"`
	SuccessRateHigh *float64 `json:"success_rate_high"`
	// AvgImprovementPct is the average performance improvement of the
	// reports that counted its decisions, with a 95 % t interval; null
	// without such reports.
	AvgImprovementPct  *float64 `json:"avg_improvement_pct"`
	ImprovementLowPct  *float64 `json:"avg_improvement_low_pct"`
	ImprovementHighPct *float64 `json:"avg_improvement_high_pct"`
	ImprovementReports int64    `json:"improvement_reports"`
	Action             string   `json:"action"`
	Reason             string   `json:"reason"`
}

// z95 is the standard normal quantile of a two-sided 95 % interval.
var z95 = distuv.UnitNormal.Quantile(0.975)

// Advise computes every algorithm's figures and action, the most urgent
// actions first and, within one, the most used first.
//
// The unit is the installation, not the run: an installation's runs share
// its workload and settings, so they are not independent trials, and
// counting them as such would make a week of one busy installation look
// like certainty. The success rate's interval is Wilson's with n the number
// of installations; it is conservative for a fleet whose installations
// run the algorithm about equally often, since a rate per installation
// (in [0, 1], with mean p) varies by at most p(1−p). The improvement's
// interval is Student's t with the reports' standard deviation over the
// square root of the installations, the variance of a mean of clustered
// reports when all of an installation's reports are alike, its upper
// bound.
func Advise(uses []AlgorithmUse, t Thresholds) []Advice {
	out := make([]Advice, 0, len(uses))
	for _, u := range uses {
		out = append(out, advise(u, t))
	}
	slices.SortStableFunc(out, func(a, b Advice) int {
		return cmp.Or(cmp.Compare(actionRank(a.Action), actionRank(b.Action)), cmp.Compare(b.Uses, a.Uses), cmp.Compare(a.Algorithm, b.Algorithm))
	})
	return out
}

func actionRank(a string) int {
	return slices.Index([]string{ActionImprove, ActionOptimize, ActionOK, ActionInsufficient}, a)
}

func advise(u AlgorithmUse, t Thresholds) Advice {
	a := Advice{Algorithm: u.Name, Uses: u.Uses, Decisions: u.Decisions, Installations: u.Installations,
		ImprovementReports: u.Improvement.Reports}
	n := float64(u.Installations)
	if u.Uses > 0 && n > 0 {
		p := float64(u.Decisions) / float64(u.Uses)
		lo, hi := Wilson(p, n)
		a.SuccessRate, a.SuccessRateLow, a.SuccessRateHigh = &p, &lo, &hi
	}
	if u.Improvement.Reports > 0 {
		mean := u.Improvement.SumPct / float64(u.Improvement.Reports)
		a.AvgImprovementPct = &mean
		if lo, hi, ok := meanInterval(u.Improvement, float64(u.DecidingInstallations)); ok {
			a.ImprovementLowPct, a.ImprovementHighPct = &lo, &hi
		}
	}
	a.Action, a.Reason = action(a, t)
	return a
}

// action decides what the figures call for.
func action(a Advice, t Thresholds) (string, string) {
	switch {
	case a.Installations < uint64(t.MinInstallations):
		return ActionInsufficient, fmt.Sprintf("%d installations ran it; at least %d are needed", a.Installations, t.MinInstallations)
	case a.SuccessRateHigh != nil && *a.SuccessRateHigh < t.MinSuccessRate:
		return ActionImprove, fmt.Sprintf("success rate %.2f, at most %.2f (95 %%), is below %.2f", *a.SuccessRate, *a.SuccessRateHigh, t.MinSuccessRate)
	case a.ImprovementHighPct != nil && *a.ImprovementHighPct < t.MinImprovementPct:
		return ActionOptimize, fmt.Sprintf("average improvement %.1f %%, at most %.1f %% (95 %%), is below %g %%", *a.AvgImprovementPct, *a.ImprovementHighPct, t.MinImprovementPct)
	case a.SuccessRate == nil:
		return ActionInsufficient, "no runs were counted"
	}
	return ActionOK, fmt.Sprintf("neither the success rate nor the improvement is clearly below %.2f and %g %%", t.MinSuccessRate, t.MinImprovementPct)
}

// Wilson returns the Wilson score 95 % interval of a proportion p
// observed over n trials.
func Wilson(p, n float64) (lo, hi float64) {
	z2 := z95 * z95
	d := 1 + z2/n
	center := (p + z2/(2*n)) / d
	half := z95 / d * math.Sqrt(p*(1-p)/n+z2/(4*n*n))
	return math.Max(0, center-half), math.Min(1, center+half)
}

// meanInterval returns the 95 % t interval of m's mean with units
// independent units (at most the reports); false with fewer than two.
func meanInterval(m Moments, units float64) (lo, hi float64, ok bool) {
	n := float64(m.Reports)
	units = math.Min(units, n)
	if units < 2 || !m.Squares {
		return 0, 0, false
	}
	mean := m.SumPct / n
	variance := math.Max(0, (m.SumSqPct-n*mean*mean)/(n-1))
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: units - 1}.Quantile(0.975)
	half := t * math.Sqrt(variance/units)
	return mean - half, mean + half, true
}
