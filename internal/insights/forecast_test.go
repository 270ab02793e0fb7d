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
	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
	"github.com/indexpilot/indexpilot-telemetry/report"
)

// TestForecastFromAPastDay forecasts, on both stores, a feature adopted
// linearly and one whose adoption saturates, from the day 30 days before
// the last, and checks that what happened on the last day is inside the
// 80 % interval.
func TestForecastFromAPastDay(t *testing.T) {
	const days, installations = 90, 200
	reports, shares := adoptionReports(days, installations)
	last := rollup.DayOf(testNow)
	asOf := last - 30
	eachStore(t, func(t *testing.T, st store.Store) {
		ingest(t, st, reports)
		d := &insights.Decisions{Model: &dashboard.Service{Store: st}, Settings: insights.DefaultSettings()}
		got, err := d.Forecasts(context.Background(), asOf, []int{30})
		if err != nil {
			t.Fatal(err)
		}
		if got.AsOf != asOf.String() || got.HistoryDays != days-30 {
			t.Errorf("as of %s with %d days of history, want %s and %d", got.AsOf, got.HistoryDays, asOf, days-30)
		}
		for _, name := range []string{"linear", "saturating"} {
			f := forecastOf(got, "feature:"+name)
			if f == nil {
				t.Fatalf("no forecast of feature:%s in %+v", name, got.Skipped)
			}
			actual := shares[name][last]
			if f.Day != last.String() || actual < f.Lower || actual > f.Upper {
				t.Errorf("%s on %s: forecast %.1f %% [%.1f, %.1f], actual %.1f %%", name, f.Day, f.Value, f.Lower, f.Upper, actual)
			}
			if f.Backtest.Origins == 0 || f.Backtest.MASE == nil || f.Backtest.Coverage80 == nil {
				t.Errorf("%s: no back-test beside the forecast: %+v", name, f.Backtest)
			}
		}
		// Only the days up to as_of were read: the forecast is what it was.
		again, err := d.Forecasts(context.Background(), asOf, []int{30})
		if err != nil || fmt.Sprint(again.Forecasts) != fmt.Sprint(got.Forecasts) {
			t.Errorf("a second forecast from the same day differs (%v)", err)
		}
	})
}

func forecastOf(f *insights.Forecasts, series string) *insights.Forecast {
	for i := range f.Forecasts {
		if f.Forecasts[i].Series == series {
			return &f.Forecasts[i]
		}
	}
	return nil
}

// adoptionReports simulates installations that report on 95 % of days
// for days days up to testNow, with two features: "linear", whose share
// grows from 5 % by half a point a day, and "saturating", a logistic
// adoption levelling off at 70 %. It returns the reports and each
// feature's share (%) of the reporting installations by day.
func adoptionReports(days, installations int) ([]fleet.Planned, map[string]map[rollup.Day]float64) {
	r := rand.New(rand.NewPCG(30, 90))
	type inst struct{ linear, saturating float64 } // adoption days, +Inf for never
	fleetOf := make([]inst, installations)
	for i := range fleetOf {
		fleetOf[i].linear = (r.Float64()*200 - 10) // uniform: a linear share, 5 % at day 0
		fleetOf[i].saturating = math.Inf(1)
		if r.Float64() < 0.7 { // logistic adoption days: the share follows 0.7 / (1 + e^-(t-35)/8)
			u := r.Float64()
			fleetOf[i].saturating = 35 + 8*math.Log(u/(1-u))
		}
	}
	first := rollup.DayOf(testNow) - rollup.Day(days) + 1
	counts := map[string]map[rollup.Day]float64{"linear": {}, "saturating": {}}
	active := map[rollup.Day]float64{}
	var out []fleet.Planned
	for d := range days {
		day := first + rollup.Day(d)
		ts := day.Time().Add(12 * time.Hour)
		for i, in := range fleetOf {
			if r.Float64() >= 0.95 {
				continue
			}
			m := report.Metrics{FeaturesUsed: []string{"auto_indexing"}}
			for name, at := range map[string]float64{"linear": in.linear, "saturating": in.saturating} {
				if float64(d) >= at {
					m.FeaturesUsed = append(m.FeaturesUsed, name)
					counts[name][day]++
				}
			}
			active[day]++
			id := fmt.Sprintf("inst-%03d", i)
			out = append(out, fleet.Planned{Time: ts, Report: report.Report{ReportID: uuid.NewSHA1(uuid.NameSpaceOID, []byte(id+day.String())).String(),
				InstallationID: id, Version: "1.1.0", Timestamp: ts.Format(time.RFC3339), Metrics: m}})
		}
	}
	for _, c := range counts {
		for day, k := range c {
			c[day] = 100 * k / active[day]
		}
	}
	return out, counts
}
