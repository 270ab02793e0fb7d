package experiment

import (
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// splitPValue is the sample-ratio-mismatch test: Pearson's chi-square of
// the installations observed per variant against the planned shares.
// It is NaN while some variant expects fewer than 5 installations, where
// the chi-square approximation does not hold.
func splitPValue(observed []int, shares []float64) float64 {
	total := 0
	for _, n := range observed {
		total += n
	}
	chi := 0.0
	for i, n := range observed {
		expected := shares[i] * float64(total)
		if expected < 5 {
			return math.NaN()
		}
		chi += (float64(n) - expected) * (float64(n) - expected) / expected
	}
	return distuv.ChiSquared{K: float64(len(observed) - 1)}.Survival(chi)
}

// reportingPValue tests whether a variant loses reports: Welch's t-test
// of the installations' reports per day, the control against each other
// variant, with the smallest p-value multiplied by the number of
// comparisons (Bonferroni). A variant whose reports go missing at random
// keeps almost all its installations, so the split test alone would not
// see it. NaN while a variant has fewer than two installations.
func reportingPValue(rates []summary) float64 {
	p := math.NaN()
	for _, other := range rates[1:] {
		q := welch(rates[0], other) * float64(len(rates)-1)
		if math.IsNaN(p) || q < p {
			p = q
		}
	}
	return math.Min(p, 1)
}

// summary is the size, mean and sample variance of a sample.
type summary struct{ n, mean, variance float64 }

// welch returns the two-sided p-value of Welch's t-test of a against b.
func welch(a, b summary) float64 {
	if a.n < 2 || b.n < 2 {
		return math.NaN()
	}
	sa, sb := a.variance/a.n, b.variance/b.n
	if sa+sb == 0 {
		if a.mean == b.mean {
			return 1
		}
		return 0
	}
	t := (a.mean - b.mean) / math.Sqrt(sa+sb)
	df := (sa + sb) * (sa + sb) / (sa*sa/(a.n-1) + sb*sb/(b.n-1))
	return 2 * distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}.Survival(math.Abs(t))
}
