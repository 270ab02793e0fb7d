package insights_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/indexpilot/indexpilot-telemetry/internal/dashboard"
	"github.com/indexpilot/indexpilot-telemetry/internal/fleet"
	"github.com/indexpilot/indexpilot-telemetry/internal/insights"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
	"github.com/indexpilot/indexpilot-telemetry/report"
)

// simulatedAlgorithm is one algorithm of TestAlgorithmActions: how many
// installations run it, at what success rate, with what improvement.
type simulatedAlgorithm struct {
	name          string
	installations int
	rate, perf    float64
}

// TestAlgorithmActions simulates algorithms of known success rates and
// improvements over 20 days and checks, on both stores, the action each
// gets and its figures against the raw reports.
func TestAlgorithmActions(t *testing.T) {
	algorithms := []simulatedAlgorithm{
		{"weak", 30, 0.3, 25},    // success rate 0.3: improve
		{"strong", 30, 0.85, 25}, // 0.85: ok
		{"rare", 3, 0.85, 25},    // 3 installations: insufficient_data
		{"lowgain", 30, 0.85, 5}, // decides, but improves 5 %: optimize
	}
	want := map[string]string{"weak": insights.ActionImprove, "strong": insights.ActionOK, "rare": insights.ActionInsufficient, "lowgain": insights.ActionOptimize}
	reports, uses, decisions := algorithmReports(algorithms, 20)
	eachStore(t, func(t *testing.T, st store.Store) {
		ingest(t, st, reports)
		d := &insights.Decisions{Model: &dashboard.Service{Store: st}, Settings: insights.DefaultSettings()}
		got, err := d.Algorithms(context.Background(), dashboard.LastDays(testNow, 30))
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Algorithms) != len(algorithms) {
			t.Fatalf("%d algorithms, want %d", len(got.Algorithms), len(algorithms))
		}
		for _, a := range got.Algorithms {
			if a.Action != want[a.Algorithm] {
				t.Errorf("%s: action %s (%s), want %s", a.Algorithm, a.Action, a.Reason, want[a.Algorithm])
			}
			if a.Uses != uses[a.Algorithm] || a.Decisions != decisions[a.Algorithm] {
				t.Errorf("%s: %d uses and %d decisions, the reports hold %d and %d", a.Algorithm, a.Uses, a.Decisions, uses[a.Algorithm], decisions[a.Algorithm])
			}
			if r := *a.SuccessRate; *a.SuccessRateLow > r || *a.SuccessRateHigh < r {
				t.Errorf("%s: success rate %.3f outside its interval [%.3f, %.3f]", a.Algorithm, r, *a.SuccessRateLow, *a.SuccessRateHigh)
			}
			if a.ImprovementHighPct == nil {
				t.Errorf("%s: no interval for the improvement", a.Algorithm)
			}
		}
	})
}

// algorithmReports builds a report a day per installation: each
// installation runs one algorithm (the first 30 run weak and strong
// both), 20 to 60 times a day, deciding at a rate of its own around the
// algorithm's (±0.1), with an improvement of its own around the
// algorithm's (±3 points, and ±2 from day to day).
func algorithmReports(algorithms []simulatedAlgorithm, days int) ([]fleet.Planned, map[string]int64, map[string]int64) {
	r := rand.New(rand.NewPCG(12, 3))
	uses, decisions := map[string]int64{}, map[string]int64{}
	var out []fleet.Planned
	inst := 0
	for i, a := range algorithms {
		if a.name == "strong" { // shares the weak algorithm's installations
			inst -= algorithms[i-1].installations
		}
		for range a.installations {
			rate := a.rate + 0.2*(r.Float64()-0.5)
			perf := a.perf + 6*(r.Float64()-0.5)
			for day := range days {
				out = append(out, reportOf(inst, day, rate, perf, a.name, r, uses, decisions))
			}
			inst++
		}
	}
	return merge(out), uses, decisions
}

// reportOf is installation inst's report of day days back, running
// algorithm name; it counts its uses and decisions.
func reportOf(inst, day int, rate, perf float64, name string, r *rand.Rand, uses, decisions map[string]int64) fleet.Planned {
	ts := testNow.Add(-time.Duration(day)*24*time.Hour - time.Hour)
	n := int64(20 + r.IntN(41))
	k := int64(0)
	for range n {
		if r.Float64() < rate {
			k++
		}
	}
	uses[name] += n
	decisions[name] += k
	pct := math.Round((perf+4*(r.Float64()-0.5))*100) / 100
	return fleet.Planned{Time: ts, Report: report.Report{SchemaVersion: 2,
		InstallationID: fmt.Sprintf("inst-%03d", inst), Version: "1.1.0", Timestamp: ts.Format(time.RFC3339),
		Metrics: report.Metrics{FeaturesUsed: []string{"auto_indexing"}, PerformanceImprovementPct: &pct,
			AlgorithmUsage: map[string]int64{name: n}, AlgorithmDecisions: map[string]int64{name: k}},
		Environment: report.Environment{OS: "linux", PostgreSQLVersion: "16.2"}}}
}

// merge folds the reports one installation sent on one day (for two
// algorithms) into one report, as a client sends.
func merge(reports []fleet.Planned) []fleet.Planned {
	byKey := map[string]int{}
	var out []fleet.Planned
	for _, p := range reports {
		k := p.Report.InstallationID + p.Report.Timestamp
		i, ok := byKey[k]
		if !ok {
			p.Report.ReportID = uuid.NewSHA1(uuid.NameSpaceOID, []byte(k)).String()
			byKey[k] = len(out)
			out = append(out, p)
			continue
		}
		m := &out[i].Report.Metrics
		for name, n := range p.Report.Metrics.AlgorithmUsage {
			m.AlgorithmUsage[name] = n
			m.AlgorithmDecisions[name] = p.Report.Metrics.AlgorithmDecisions[name]
		}
	}
	return out
}

// TestWilson checks the interval against a textbook value (p = 0.3 of
// n = 20: 0.146 to 0.519).
func TestWilson(t *testing.T) {
	lo, hi := insights.Wilson(0.3, 20)
	if math.Abs(lo-0.1455) > 5e-4 || math.Abs(hi-0.5190) > 5e-4 {
		t.Errorf("Wilson(0.3, 20) = [%.4f, %.4f], want [0.1455, 0.5190]", lo, hi)
	}
	if lo, hi := insights.Wilson(0, 10); math.Abs(lo) > 1e-12 || math.Abs(hi-0.2775) > 5e-4 {
		t.Errorf("Wilson(0, 10) = [%.4f, %.4f], want [0, 0.2775]", lo, hi)
	}
}
