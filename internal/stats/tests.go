package stats

import (
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// Ratio is a ratio Σnum / Σden over independent units, such as the
// errored days over the reporting days of a version's installations,
// with the variance of the estimate.
type Ratio struct {
	Num, Den float64
	Units    int     // units with a positive denominator
	Var      float64 // variance of Num/Den
}

// Value returns Num/Den, NaN without a denominator.
func (r Ratio) Value() float64 {
	if r.Den <= 0 {
		return math.NaN()
	}
	return r.Num / r.Den
}

// NewRatio estimates Σnum/Σden from per-unit numerators and denominators.
// Its variance is the cluster-robust (sandwich) one, with the unit as the
// cluster: units whose numerators vary together (an installation that
// errs every day) widen it, as they should. It is never smaller than the
// binomial variance of the pooled counts, computed with half an event
// added, so that a ratio of 0 out of few still has a width.
func NewRatio(num, den []float64) Ratio {
	var r Ratio
	for i := range num {
		if den[i] > 0 {
			r.Num += num[i]
			r.Den += den[i]
			r.Units++
		}
	}
	if r.Den <= 0 {
		return r
	}
	p := r.Num / r.Den
	var ss float64
	for i := range num {
		if den[i] > 0 {
			d := num[i] - p*den[i]
			ss += d * d
		}
	}
	robust := 0.0
	if r.Units > 1 {
		robust = ss / (r.Den * r.Den) * float64(r.Units) / float64(r.Units-1)
	}
	pf := (r.Num + 0.5) / (r.Den + 1)
	r.Var = math.Max(robust, pf*(1-pf)/r.Den)
	return r
}

// logRatio returns ln(a/b) and its standard error.
func logRatio(a, b Ratio) (lr, se float64) {
	lr, va, vb := LogRatioVars(a, b)
	return lr, math.Sqrt(va + vb)
}

// LogRatioVars returns ln(a/b) and the variances that a and b add to it
// (delta method), with half an event added to each side so that zero
// counts stay finite.
func LogRatioVars(a, b Ratio) (lr, va, vb float64) {
	pa, pb := (a.Num+0.5)/(a.Den+0.5), (b.Num+0.5)/(b.Den+0.5)
	return math.Log(pa / pb), a.Var / (pa * pa), b.Var / (pb * pb)
}

// RatioInterval returns the confidence interval, at the given two-sided
// level (0.95), of a.Value()/b.Value().
func RatioInterval(a, b Ratio, level float64) (lo, hi float64) {
	lr, se := logRatio(a, b)
	z := distuv.UnitNormal.Quantile(1 - (1-level)/2)
	return math.Exp(lr - z*se), math.Exp(lr + z*se)
}

// RatioPValue returns the two-sided p-value of "a and b have the same
// ratio".
func RatioPValue(a, b Ratio) float64 {
	lr, se := logRatio(a, b)
	if se == 0 {
		return 1
	}
	return 2 * distuv.UnitNormal.Survival(math.Abs(lr)/se)
}

// Mean is a sample mean with the variance of the values and the number
// of independent units behind it.
type Mean struct {
	Mean, Var float64
	N         float64
}

// MeanOf returns the mean and variance of n values from their sum and
// sum of squares, with units independent units behind them (units ≤ n;
// the installations that sent the values). Dividing by the units instead
// of the values is exact when each unit's values agree and conservative
// otherwise, so the reports of one installation are never counted as
// independent evidence.
func MeanOf(sum, sumSq, n, units float64) Mean {
	if n <= 0 {
		return Mean{Mean: math.NaN()}
	}
	m := sum / n
	v := 0.0
	if n > 1 {
		v = math.Max(0, (sumSq-n*m*m)/(n-1))
	}
	return Mean{Mean: m, Var: v, N: math.Min(units, n)}
}

// Welch compares two means: the difference a − b, its standard error and
// Welch–Satterthwaite degrees of freedom. Either side with fewer than two
// units gives an infinite standard error.
func Welch(a, b Mean) (diff, se, df float64) {
	diff = a.Mean - b.Mean
	if a.N < 2 || b.N < 2 {
		return diff, math.Inf(1), 1
	}
	va, vb := a.Var/a.N, b.Var/b.N
	se = math.Sqrt(va + vb)
	if se == 0 {
		return diff, 0, a.N + b.N - 2
	}
	df = (va + vb) * (va + vb) / (va*va/(a.N-1) + vb*vb/(b.N-1))
	return diff, se, df
}

// StudentQuantile returns the p quantile of Student's t with df degrees
// of freedom.
func StudentQuantile(p, df float64) float64 {
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}.Quantile(p)
}

// StudentSurvival returns P(T > t) for Student's t with df degrees of
// freedom.
func StudentSurvival(t, df float64) float64 {
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}.Survival(t)
}
