package stats

import (
	"math"

	"gonum.org/v1/gonum/mathext"
	"gonum.org/v1/gonum/stat/distuv"
)

// Counts whose variance exceeds their mean (errors come in bursts, a busy
// installation reports many) are modelled as negative binomial: mean mu,
// variance mu + phi·mu². phi = 0 is the Poisson distribution.

// CountAtLeast returns P(X ≥ x) for a count X with mean mu and
// overdispersion phi.
func CountAtLeast(x, mu, phi float64) float64 {
	k := math.Ceil(x)
	switch {
	case k <= 0:
		return 1
	case mu <= 0:
		return 0
	case phi <= 0:
		return mathext.GammaIncReg(k, mu) // P(Poisson(mu) ≥ k)
	}
	r := 1 / phi
	return mathext.RegIncBeta(k, r, mu/(r+mu))
}

// CountAtMost returns P(X ≤ x) for a count X with mean mu and
// overdispersion phi.
func CountAtMost(x, mu, phi float64) float64 {
	k := math.Floor(x)
	switch {
	case k < 0:
		return 0
	case mu <= 0:
		return 1
	case phi <= 0:
		return mathext.GammaIncRegComp(k+1, mu) // P(Poisson(mu) ≤ k)
	}
	r := 1 / phi
	return mathext.RegIncBeta(r, k+1, r/(r+mu))
}

// CountQuantile returns the smallest count k with P(X ≤ k) ≥ q.
func CountQuantile(q, mu, phi float64) float64 {
	if mu <= 0 {
		return 0
	}
	sd := math.Sqrt(mu + phi*mu*mu)
	lo, hi := 0.0, math.Ceil(mu+12*sd+10)
	for lo < hi { // the CDF is monotone: bisect on whole counts
		mid := math.Floor((lo + hi) / 2)
		if CountAtMost(mid, mu, phi) >= q {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}

// UpperZ returns the normal deviate whose upper tail is p: 0 at p = 0.5,
// large for small p. p is clamped away from 0 and 1.
func UpperZ(p float64) float64 {
	p = math.Min(math.Max(p, 1e-300), 1-1e-16)
	return -distuv.UnitNormal.Quantile(p)
}

// NormalSurvival returns P(Z > z) for a standard normal Z.
func NormalSurvival(z float64) float64 { return distuv.UnitNormal.Survival(z) }

// NormalQuantile returns the p quantile of the standard normal.
func NormalQuantile(p float64) float64 { return distuv.UnitNormal.Quantile(p) }
