package collect

import (
	"fmt"
	"math"
	"testing"

	"github.com/indexpilot/indexpilot-telemetry/report"
)

// TestKeepLargest checks that experiments are kept whole, largest first,
// within the report's limit.
func TestKeepLargest(t *testing.T) {
	byHash := map[string]*abExperiment{}
	for i := range 40 { // 40 experiments of 2 variants: 80 > 64 entries
		h := fmt.Sprintf("%032x", i)
		n := int64(100 + i)
		byHash[h] = &abExperiment{hash: h, n: 2 * n, variants: []report.ABExperiment{
			{Experiment: h, Variant: "b", N: n}, {Experiment: h, Variant: "a", N: n}}}
	}
	c := &collection{result: &Result{}}
	got := keepLargest(byHash, report.MaxListEntries, c)
	if len(got) != 64 || len(c.result.Notes) != 1 {
		t.Fatalf("kept %d entries, notes %q", len(got), c.result.Notes)
	}
	if got[0].N != 139 || got[0].Variant != "a" || got[1].Variant != "b" || got[63].N != 108 {
		t.Errorf("order: first %+v %+v, last %+v", got[0], got[1], got[63])
	}
}

func TestValidVariant(t *testing.T) {
	for _, c := range []struct {
		mean, variance float64
		want           bool
	}{
		{12.5, 3, true},
		{0, 0, true},
		{-1, 3, false},
		{math.NaN(), 3, false},
		{12.5, math.Inf(1), false},
		{report.MaxLatencyMS + 1, 0, false},
	} {
		if got := validVariant(report.ABExperiment{MeanMS: c.mean, VarianceMS: c.variance}); got != c.want {
			t.Errorf("validVariant(mean %v, variance %v) = %v", c.mean, c.variance, got)
		}
	}
}
