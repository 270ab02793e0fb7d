package experiment

import (
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// Method holds the parameters of the analysis. DefaultMethod is what the
// service uses; docs/experiments.md gives the reasons and the simulated
// figures behind each value.
type Method struct {
	// Alpha bounds the chance that an experiment without any effect is
	// ever declared different, however often it is looked at. With more
	// than one treatment it is shared among the comparisons (Bonferroni).
	Alpha float64 `json:"alpha"`
	// Planned is the number of installations (all variants of a
	// comparison together) at which the confidence sequence is tightest.
	Planned float64 `json:"planned_installations"`
	// MinInstallations is the fewest measured installations a variant
	// needs before anything is decided (insufficient_data until then).
	MinInstallations int `json:"min_installations"`
	// SRMThreshold is the p-value under which the split of installations,
	// or their reporting rates, are declared broken. It is small because
	// the check, too, is looked at every day.
	SRMThreshold float64 `json:"srm_threshold"`
	// Power is the chance of a decision wanted at the minimum effect, for
	// the installations_needed figure.
	Power float64 `json:"power"`
}

// DefaultMethod is the method the service uses.
var DefaultMethod = Method{Alpha: 0.05, Planned: 2000, MinInstallations: 50, SRMThreshold: 0.001, Power: 0.8}

// mixing returns the normal mixture's parameter ρ, in installations, that
// makes the confidence sequence at level alpha tightest at n
// installations: ρ = n/u where u − ln(1+u) = 2·ln(1/alpha) (the
// derivative of the half-width's square at n vanishes there).
func mixing(n, alpha float64) float64 {
	target := -2 * math.Log(alpha)
	u := target + math.Log1p(target)
	for range 20 { // Newton's method; it converges in a handful of steps
		f := u - math.Log1p(u) - target
		u -= f * (1 + u) / u
	}
	return n / u
}

// sequence is the confidence sequence of one comparison: level alpha,
// tightest at m.Planned installations.
type sequence struct {
	alpha, rho float64
}

func (m Method) sequence(alpha float64) sequence {
	return sequence{alpha: alpha, rho: mixing(m.Planned, alpha)}
}

// multiplier returns the width of the confidence sequence at n
// installations in standard errors: the estimate's interval is ± the
// multiplier times the standard error of the difference of means. It is
// the normal-mixture boundary sqrt((V+ρ)·ln((V+ρ)/(ρ·α²))) for a sum
// with variance V = n (in units of one installation's variance), divided
// by sqrt(n); GrowthBook's sequential engine uses the same boundary.
func (s sequence) multiplier(n float64) float64 {
	return math.Sqrt((n + s.rho) / n * math.Log((n+s.rho)/(s.rho*s.alpha*s.alpha)))
}

// perArm returns the installations each of two equal variants needs for
// power m.Power to find a difference of minEffect, when one
// installation's outcome has standard deviation sd, counting the last
// look only (daily looks add a little power).
func (m Method) perArm(s sequence, sd, minEffect float64) int {
	if !(sd > 0) || !(minEffect > 0) {
		return 0
	}
	zPower := distuv.UnitNormal.Quantile(m.Power)
	for n := m.MinInstallations; n <= 10_000_000; n += max(1, n/100) {
		se := sd * math.Sqrt(2/float64(n))
		if minEffect/se >= s.multiplier(float64(2*n))+zPower {
			return n
		}
	}
	return 0
}
