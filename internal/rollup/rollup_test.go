package rollup

import (
	"math"
	"testing"

	"github.com/indexpilot/indexpilot-telemetry/report"
)

// summarise returns n, mean and sample variance of xs.
func summarise(xs []float64) (int64, float64, float64) {
	var sum float64
	for _, x := range xs {
		sum += x
	}
	mean := sum / float64(len(xs))
	var ss float64
	for _, x := range xs {
		ss += (x - mean) * (x - mean)
	}
	return int64(len(xs)), mean, ss / float64(len(xs)-1)
}

// Pooling the summaries of two periods gives the summary of all their
// samples: what a significance test on the server needs.
func TestABPoolingEqualsTheWholeSample(t *testing.T) {
	first := []float64{10.5, 12.25, 9.75, 11, 14.5}
	second := []float64{8.25, 9.5, 30, 7.75}
	var c Counters
	for _, xs := range [][]float64{first, second} {
		n, mean, variance := summarise(xs)
		c.Add(abCounters(report.ABExperiment{N: n, MeanMS: mean, VarianceMS: variance}))
	}
	n, mean, variance := ABStats(c)
	wn, wmean, wvariance := summarise(append(append([]float64{}, first...), second...))
	if n != wn || math.Abs(mean-wmean) > 1e-3 || math.Abs(variance-wvariance) > 1e-2 {
		t.Fatalf("pooled n=%d mean=%.4f var=%.4f, want n=%d mean=%.4f var=%.4f", n, mean, variance, wn, wmean, wvariance)
	}
}

func TestPostgresMajor(t *testing.T) {
	for in, want := range map[string]string{"15.4": "15", "16": "16", "9.6.24": "9.6", "": "", "17beta1": "17beta1"} {
		if got := PostgresMajor(in); got != want {
			t.Errorf("PostgresMajor(%q) = %q, want %q", in, got, want)
		}
	}
}
