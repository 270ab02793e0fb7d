package stats

import (
	"math"
	"slices"

	"gonum.org/v1/gonum/stat/distuv"
)

// MADScale turns a median absolute deviation into a standard deviation
// for normally distributed data.
const MADScale = 1.4826

// Median returns the median of xs, NaN when xs is empty. xs is not
// modified.
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// RobustSigma returns MADScale times the median absolute deviation of xs
// around centre: a standard deviation that outliers barely move.
func RobustSigma(xs []float64, centre float64) float64 {
	dev := make([]float64, len(xs))
	for i, x := range xs {
		dev[i] = math.Abs(x - centre)
	}
	return MADScale * Median(dev)
}

// TheilSen fits y = intercept + slope·x robustly: the slope is the median
// of the slopes between every pair of points, the intercept the median of
// y − slope·x. Up to ~29 % of the points may be outliers without moving
// it. Points with a NaN y are skipped; with fewer than two points the
// slope is 0.
func TheilSen(xs, ys []float64) (slope, intercept float64) {
	var px, py []float64
	for i, y := range ys {
		if !math.IsNaN(y) {
			px, py = append(px, xs[i]), append(py, y)
		}
	}
	slopes := make([]float64, 0, len(px)*(len(px)-1)/2)
	for i := range px {
		for j := i + 1; j < len(px); j++ {
			if dx := px[j] - px[i]; dx != 0 {
				slopes = append(slopes, (py[j]-py[i])/dx)
			}
		}
	}
	if len(slopes) > 0 {
		slope = Median(slopes)
	}
	res := make([]float64, len(px))
	for i := range px {
		res[i] = py[i] - slope*px[i]
	}
	if len(res) == 0 {
		return 0, math.NaN()
	}
	return slope, Median(res)
}

// TrimmedMean returns the mean of xs without the share trim of its lowest
// and of its highest values (rounded to whole values): nearly as
// efficient as the mean on clean data, and an outlier or two cannot drag
// it. NaN when xs is empty. xs is not modified.
func TrimmedMean(xs []float64, trim float64) float64 {
	return TrimmedMeanInPlace(slices.Clone(xs), trim)
}

// TrimmedMeanInPlace is TrimmedMean that sorts xs instead of a copy.
func TrimmedMeanInPlace(xs []float64, trim float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	slices.Sort(xs)
	cut := int(math.Round(trim * float64(len(xs))))
	if 2*cut >= len(xs) {
		cut = (len(xs) - 1) / 2 // the median (the lower one of an even count)
	}
	sum := 0.0
	for _, x := range xs[cut : len(xs)-cut] {
		sum += x
	}
	return sum / float64(len(xs)-2*cut)
}

// TrimmedSigma returns a standard deviation of xs around centre that
// ignores the share trim of the largest deviations: the root mean square
// of the others, scaled to be consistent for normal data. It is about
// twice as efficient as the MAD, which matters with a few weeks of days.
// xs is not modified.
func TrimmedSigma(xs []float64, centre, trim float64) float64 {
	dev := make([]float64, len(xs))
	return TrimmedSigmaInto(dev, xs, centre, trim)
}

// TrimmedSigmaInto is TrimmedSigma with dev (as long as xs) as its work
// space.
func TrimmedSigmaInto(dev, xs []float64, centre, trim float64) float64 {
	dev = dev[:len(xs)]
	for i, x := range xs {
		dev[i] = math.Abs(x - centre)
	}
	slices.Sort(dev)
	keep := len(dev) - int(math.Round(trim*float64(len(dev))))
	if keep < 2 {
		return MADScale * Median(dev)
	}
	ss := 0.0
	for _, d := range dev[:keep] {
		ss += d * d
	}
	tau := 1 - float64(keep)/float64(len(dev))
	if tau == 0 {
		return math.Sqrt(ss / float64(keep))
	}
	// For normal data, E[X² | |X| < q] = 1 − 2qφ(q)/(1 − τ), q the 1 − τ/2
	// quantile: the kept share's mean square.
	q := distuv.UnitNormal.Quantile(1 - tau/2)
	c := 1 - 2*q*distuv.UnitNormal.Prob(q)/(1-tau)
	return math.Sqrt(ss / float64(keep) / c)
}
