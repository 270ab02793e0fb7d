package fleet_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/fleet"
	"github.com/indexpilot/indexpilot-telemetry/report"
)

// Simulated installations take part in experiments as real clients do:
// from the start on, each always reports the same variant; the split
// follows the plan; the effect shows in the treatment's improvement;
// every report passes the contract.
func TestFleetExperiments(t *testing.T) {
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	start := now.Add(-10 * 24 * time.Hour)
	c := fleet.Config{Installations: 300, Days: 20, Seed: 3, Now: now, Experiments: []fleet.Experiment{
		{Name: "cert_threshold_v2", Variants: []string{"control", "treatment"}, Split: []float64{0.5, 0.5}, Start: start,
			Effect: map[string]float64{"treatment": 10}},
	}}
	variant := map[int]string{}
	var sum, n [2]float64
	for _, p := range fleet.Generate(c) {
		v, ok := p.Report.Metrics.Experiments["cert_threshold_v2"]
		if ok != !p.Time.Before(start) {
			t.Fatalf("a report of %s carries the assignment: %v (start %s)", p.Time, ok, start)
		}
		body, _ := json.Marshal(p.Report)
		if d, err := report.Decode(body, now, 0); err != nil || len(d.Ignored) > 0 {
			t.Fatalf("a report breaks the contract: %v %v", err, d)
		}
		if !ok {
			continue
		}
		if old, seen := variant[p.Installation]; seen && old != v {
			t.Fatalf("installation %d reported %s, then %s", p.Installation, old, v)
		}
		variant[p.Installation] = v
		if perf := p.Report.Metrics.PerformanceImprovementPct; perf != nil {
			i := map[string]int{"control": 0, "treatment": 1}[v]
			sum[i] += *perf
			n[i]++
		}
	}
	treated := 0
	for _, v := range variant {
		if v == "treatment" {
			treated++
		}
	}
	if share := float64(treated) / float64(len(variant)); len(variant) < 150 || share < 0.4 || share > 0.6 {
		t.Errorf("%d of %d installations in the treatment, want about half", treated, len(variant))
	}
	if d := sum[1]/n[1] - sum[0]/n[0]; d < 7 || d > 13 {
		t.Errorf("the treatment's reports are %.1f points better, want about 10", d)
	}
}
