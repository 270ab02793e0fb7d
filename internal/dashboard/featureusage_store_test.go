package dashboard_test

import (
	"context"
	"math"
	"testing"

	"github.com/indexpilot/indexpilot-telemetry/internal/dashboard"
	"github.com/indexpilot/indexpilot-telemetry/report"
)

// TestFeatureSuccessFromTheStore: the stats and the overview give each
// feature's uses, successes, installations and rate from stored reports,
// an interval only from enough installations, and no figures under a
// version filter, where usage is not recorded.
func TestFeatureSuccessFromTheStore(t *testing.T) {
	var reports []sent
	for inst := 1; inst <= 6; inst++ { // auto_indexing: 6 installations, 2 reports each
		for day := range 2 {
			reports = append(reports, sent{inst: inst, daysAgo: day, version: "1.2.0", pg: "16.1", os: "linux",
				usage: map[string]report.FeatureUse{"auto_indexing": {Uses: 10, Successes: int64(10 - inst%3)}}})
		}
	}
	reports = append(reports, sent{inst: 1, daysAgo: 0, version: "1.2.0", pg: "16.1", os: "linux", // qpg: 1 installation
		usage: map[string]report.FeatureUse{"qpg": {Uses: 3, Successes: 1}}})
	s := service(t, reports)

	st, err := s.Stats(context.Background(), now)
	if err != nil {
		t.Fatal(err)
	}
	ov := overview(t, s, 7, "")
	for _, got := range [][]dashboard.FeatureSuccess{st.FeatureSuccess, ov.FeatureSuccess} {
		if len(got) != 2 {
			t.Fatalf("feature success = %+v, want auto_indexing and qpg", got)
		}
		// Successes per installation and report: 9, 8, 10, 9, 8, 10, twice.
		a, q := got[0], got[1]
		if a.Name != "auto_indexing" || a.Uses != 120 || a.Successes != 108 || a.Reports != 12 || a.Installations != 6 ||
			math.Abs(a.SuccessRatePct-90) > 1e-9 || a.LowPct == nil || !(*a.LowPct < 90 && *a.HighPct > 90 && *a.HighPct <= 100) {
			t.Errorf("auto_indexing = %+v", a)
		}
		if q.Name != "qpg" || q.Uses != 3 || q.Successes != 1 || q.Installations != 1 || q.LowPct != nil || q.HighPct != nil {
			t.Errorf("qpg = %+v, want no interval from one installation", q)
		}
	}
	if f := overview(t, s, 7, "1.2.0").FeatureSuccess; f == nil || len(f) != 0 {
		t.Errorf("under a version filter: %+v, want an empty list", f)
	}
}
