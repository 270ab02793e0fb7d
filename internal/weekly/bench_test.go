package weekly_test

import (
	"context"
	"testing"

	"github.com/indexpilot/indexpilot-telemetry/internal/dashboard"
	"github.com/indexpilot/indexpilot-telemetry/internal/weekly"
)

// BenchmarkBuild builds 2027-W01's report on the golden fleet (200
// installations, 90 days); BenchmarkOverviewBaseline is the dashboard's
// overview of the same week, the one read a maintainer's page makes: the
// ratio says what the report costs in overview loads.
func BenchmarkBuild(b *testing.B) {
	bl := builder(open(b))
	week, _ := weekly.ParseWeek("2027-W01", now)
	for b.Loop() {
		if _, err := bl.Build(context.Background(), week); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOverviewBaseline(b *testing.B) {
	bl := builder(open(b))
	week, _ := weekly.ParseWeek("2027-W01", now)
	for b.Loop() {
		if _, err := bl.Model.Overview(context.Background(), now, dashboard.OverviewQuery{Period: week}); err != nil {
			b.Fatal(err)
		}
	}
}
