package insights_test

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/dashboard"
	"github.com/indexpilot/indexpilot-telemetry/internal/fleet"
	"github.com/indexpilot/indexpilot-telemetry/internal/insights"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

// TestPrioritiesEqualBruteForce checks every feature's scores, on both
// stores, against the same figures computed report by report from the
// raw reports of a simulated fleet.
func TestPrioritiesEqualBruteForce(t *testing.T) {
	reports := simulatedFleet()
	w := dashboard.LastDays(testNow, 30)
	want := bruteForcePriorities(inWindow(reports, w), insights.DefaultWeights())
	eachStore(t, func(t *testing.T, st store.Store) {
		ingest(t, st, reports)
		d := &insights.Decisions{Model: &dashboard.Service{Store: st}, Settings: insights.DefaultSettings()}
		got, err := d.Features(context.Background(), w)
		if err != nil {
			t.Fatal(err)
		}
		if got.RequestsSource != insights.RequestsNone {
			t.Errorf("requests source %q without a feedback store, want none", got.RequestsSource)
		}
		if len(got.Features) != len(want) {
			t.Fatalf("%d features, brute force %d", len(got.Features), len(want))
		}
		for i, p := range got.Features {
			if i > 0 && p.Score > got.Features[i-1].Score {
				t.Errorf("%s (%.3f) is ranked after %s (%.3f)", p.Feature, p.Score, got.Features[i-1].Feature, got.Features[i-1].Score)
			}
			b := want[p.Feature]
			if p.Installations != b.Installations || !near(p.Score, b.Score) || !near(p.Breakdown.Usage, b.Breakdown.Usage) ||
				!near(p.Breakdown.Performance, b.Breakdown.Performance) || p.Breakdown.Requests != 0 {
				t.Errorf("%s: %+v, brute force %+v", p.Feature, p, b)
			}
		}
		// The planted feature with value shows it; no request moved any score.
		if p := find(got.Features, "workload_analysis"); p == nil || p.Breakdown.Performance < 30 {
			t.Errorf("workload_analysis, planted 6 points better: %+v", p)
		}
	})
}

func find(ps []insights.Priority, feature string) *insights.Priority {
	for i := range ps {
		if ps[i].Feature == feature {
			return &ps[i]
		}
	}
	return nil
}

// bruteForcePriorities computes the priorities from the raw reports: the
// share of installations that listed each feature, and the difference of
// the mean improvement of the reports with it and without it.
func bruteForcePriorities(reports []fleet.Planned, w insights.Weights) map[string]insights.Priority {
	active := map[string]bool{}
	users := map[string]map[string]bool{}
	type sums struct{ with, without, nWith, nWithout float64 }
	perf := map[string]*sums{}
	for _, p := range reports {
		m := p.Report.Metrics
		active[p.Report.InstallationID] = true
		for _, f := range m.FeaturesUsed {
			if users[f] == nil {
				users[f], perf[f] = map[string]bool{}, &sums{}
			}
			users[f][p.Report.InstallationID] = true
		}
	}
	for _, p := range reports {
		m := p.Report.Metrics
		if m.PerformanceImprovementPct == nil {
			continue
		}
		listed := map[string]bool{}
		for _, f := range m.FeaturesUsed {
			listed[f] = true
		}
		for f, s := range perf {
			if listed[f] {
				s.with, s.nWith = s.with+*m.PerformanceImprovementPct, s.nWith+1
			} else {
				s.without, s.nWithout = s.without+*m.PerformanceImprovementPct, s.nWithout+1
			}
		}
	}
	out := map[string]insights.Priority{}
	for f, u := range users {
		p := insights.Priority{Feature: f, Installations: uint64(len(u))}
		p.Breakdown.Usage = 100 * float64(len(u)) / float64(len(active))
		if s := perf[f]; s.nWith > 0 && s.nWithout > 0 {
			diff := s.with/s.nWith - s.without/s.nWithout
			p.Breakdown.Performance = math.Max(0, math.Min(100, 100*diff/insights.PerformanceFullScale))
		}
		p.Score = (w.Usage*p.Breakdown.Usage + w.Performance*p.Breakdown.Performance) / (w.Usage + w.Performance + w.Requests)
		out[f] = p
	}
	return out
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

// TestRequestsFromFeedback checks, on both stores, that the requests score
// counts the votes of clients' feedback and of imported GitHub issues,
// over the window only, and that a requested feature nobody runs yet is
// listed.
func TestRequestsFromFeedback(t *testing.T) {
	w := dashboard.LastDays(testNow, 30)
	eachStore(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		client := func(seq int, age time.Duration, requests ...string) {
			it := store.FeedbackItem{Key: fmt.Sprintf("client:00000000-0000-4000-a000-%012d", seq), Source: store.SourceClient,
				Received: testNow.Add(-age), Message: "works", Requests: requests, Votes: 1}
			if _, _, err := st.AddFeedback(ctx, it); err != nil {
				t.Fatal(err)
			}
		}
		client(1, time.Hour, "auto_rollback", "brin_support")
		client(2, 2*time.Hour, "auto_rollback")
		client(3, 40*24*time.Hour, "qpg") // before the window
		url := "https://github.com/indexpilot/indexpilot/issues/7"
		if _, err := st.ImportFeedback(ctx, []store.FeedbackItem{{Key: "github:" + url, Source: store.SourceGitHub, Received: testNow.Add(-time.Hour),
			Message: "Feature request #7", URL: url, Requests: []string{"brin_support"}, Votes: 5}}); err != nil {
			t.Fatal(err)
		}
		d := &insights.Decisions{Model: &dashboard.Service{Store: st}, Votes: st, Settings: insights.DefaultSettings()}
		got, err := d.Features(ctx, w)
		if err != nil {
			t.Fatal(err)
		}
		if got.RequestsSource != insights.RequestsFeedback {
			t.Errorf("requests source %q, want feedback", got.RequestsSource)
		}
		want := map[string][2]float64{"brin_support": {6, 100}, "auto_rollback": {2, 100 * 2.0 / 6}}
		for _, p := range got.Features {
			v, ok := want[p.Feature]
			if p.Feature == "qpg" || (!ok && p.Votes != 0) || (ok && (float64(p.Votes) != v[0] || !near(p.Breakdown.Requests, v[1]))) {
				t.Errorf("%s: %d votes, requests %.2f; want %v", p.Feature, p.Votes, p.Breakdown.Requests, v)
			}
			delete(want, p.Feature)
		}
		if len(want) > 0 {
			t.Errorf("requested features missing: %v", want)
		}
	})
}
