package dashboard

import (
	"math"
	"slices"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
)

// FeatureSuccess is one feature's use over a window, from the reports'
// metrics.feature_usage: how often it ran, how often it succeeded, and
// the success rate with a 95 % interval whose unit is the installation
// (docs/feature-usage.md gives the method and its simulated coverage).
type FeatureSuccess struct {
	Name          string `json:"name"`
	Uses          int64  `json:"uses"`
	Successes     int64  `json:"successes"`
	Reports       int64  `json:"reports"`
	Installations uint64 `json:"installations"`
	// SuccessRatePct is successes per use, in %.
	SuccessRatePct float64 `json:"success_rate_pct"`
	// LowPct and HighPct bound the rate's 95 % interval; null with fewer
	// than MinIntervalInstallations installations.
	LowPct  *float64 `json:"low_pct"`
	HighPct *float64 `json:"high_pct"`
}

// MinIntervalInstallations is the fewest installations whose reports give
// a feature's success rate an interval: below it, the spread between
// installations, which the interval rests on, is not known well enough.
const MinIntervalInstallations = 5

// maxFeatureSuccess bounds the list: the most used features.
const maxFeatureSuccess = 64

// z95 is the standard normal quantile of a two-sided 95 % interval.
const z95 = 1.959963984540054

// featureSuccess lists every feature of w's usage rows, most used first.
func featureSuccess(w *Window) []FeatureSuccess {
	out := []FeatureSuccess{}
	for _, k := range w.Keys(rollup.DimUsage) {
		if c := w.Sum(rollup.DimUsage, k); c.Total > 0 {
			out = append(out, newFeatureSuccess(k, c, w.Installs(rollup.DimUsage, k).GetCardinality()))
		}
	}
	slices.SortStableFunc(out, func(a, b FeatureSuccess) int { return cmpDesc(a.Uses, b.Uses) })
	return out[:min(len(out), maxFeatureSuccess)]
}

// newFeatureSuccess is the figures of one feature from its summed usage
// counters and its number of installations.
func newFeatureSuccess(name string, c rollup.Counters, installs uint64) FeatureSuccess {
	f := FeatureSuccess{Name: name, Uses: c.Total, Successes: c.UsageSuccesses, Reports: c.Reports, Installations: installs,
		SuccessRatePct: 100 * float64(c.UsageSuccesses) / float64(c.Total)}
	if low, high, ok := SuccessInterval(c, installs); ok {
		low, high = 100*low, 100*high
		f.LowPct, f.HighPct = &low, &high
	}
	return f
}

// SuccessInterval returns the 95 % interval of the success rate R = S/U of
// a feature's summed usage counters (U uses, S successes over n reports of
// m installations), with the installation as the unit, or ok false with
// fewer than MinIntervalInstallations installations.
//
// Uses are not independent: an installation whose workload trips a
// feature fails often, day after day. Each report's residual is
// e = s − R·u, and the ratio estimator's variance with reports as the
// unit is n/(n−1)·Σe²/U², where Σe² = Σs² − 2R·Σsu + R²·Σu² comes from
// the rollup's sums. Reports of one installation are then treated as
// moving together: a report's residual stands for the n/m reports its
// installation sends, which multiplies the variance by n/m (times
// m/(m−1) for the m installations' own degrees of freedom). That is exact
// when an installation's reports share their deviation and conservative
// when they do not. The interval is Wilson's score interval at the
// effective number of uses R(1−R)/variance (at most U), which stays
// within [0, 1]; when every report has the same rate (all uses succeeded,
// say) the spread is unknown and each installation counts as one use.
func SuccessInterval(c rollup.Counters, installs uint64) (low, high float64, ok bool) {
	m, n, u := float64(installs), float64(c.Reports), float64(c.Total)
	if installs < MinIntervalInstallations || c.Reports < 2 || c.Total <= 0 {
		return 0, 0, false
	}
	r := float64(c.UsageSuccesses) / u
	sumSq := float64(c.UsageSuccSq) - 2*r*float64(c.UsageCross) + r*r*float64(c.UsageUsesSq)
	variance := max(sumSq, 0) / (u * u) * n / (n - 1) * (n / m) * m / (m - 1)
	neff := min(u, m)
	if variance > 0 {
		neff = min(u, r*(1-r)/variance)
	}
	low, high = wilson(r, neff, z95)
	return low, high, true
}

// wilson is Wilson's score interval of a proportion p observed over n
// trials (n may be fractional: an effective number).
func wilson(p, n, z float64) (low, high float64) {
	z2 := z * z
	centre := (p + z2/(2*n)) / (1 + z2/n)
	half := z / (1 + z2/n) * math.Sqrt(p*(1-p)/n+z2/(4*n*n))
	return max(centre-half, 0), min(centre+half, 1)
}
