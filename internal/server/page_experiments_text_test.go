package server

import (
	"testing"

	"github.com/indexpilot/indexpilot-telemetry/internal/experiment"
)

// The Experiments view's texts, which web/static/experiments.js repeats.
func TestExperimentTexts(t *testing.T) {
	f := func(x float64) *float64 { return &x }
	one, twelve := 1, 12
	a := &experiment.Analysis{Metric: "latency_p95_ms", Decision: experiment.KeepRunning, ExpectedDays: &one,
		Effect: &experiment.Comparison{Variant: "b", Estimate: f(-1.234), Low: f(-2.5), High: f(0.004), Relative: f(-0.0512)}}
	for _, tc := range []struct{ got, want string }{
		{decisionText(a), "keep running (about 1 day more)"},
		{effectText(a), "b − control: −1.23 ms (−5.1 % of the control’s mean); always-valid 95 % interval −2.50 ms to 0.00 ms."},
		{formatEffect(3, "indexes_created", true), "+3.00 indexes"},
		{formatEffect(0.5, "error_rate", false), "0.50 pp"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
	a.ExpectedDays = &twelve
	if got := decisionText(a); got != "keep running (about 12 days more)" {
		t.Errorf("got %q", got)
	}
	a.Decision = experiment.TreatmentBetter
	if got := decisionText(a); got != "b is better" {
		t.Errorf("got %q", got)
	}
}
