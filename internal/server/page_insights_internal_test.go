package server

import (
	"slices"
	"testing"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/insights"
	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
)

// TestForecastTexts checks what the forecast chart's legend shows, on two
// paths forecast from 2027-01-01 two days ahead: the days of the longer
// path, each path's actual values to as_of and its forecast from as_of,
// a share as a percentage, installations as a whole number, "–" where a
// value is missing.
func TestForecastTexts(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	asOf := rollup.DayOf(time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC))
	answer := &insights.Forecasts{AsOf: asOf.String(), Horizons: []int{1, 2}, Paths: []insights.Path{
		{Series: "active_installations", Unit: insights.UnitInstallations, From: "2026-12-31",
			Actual: []*float64{f(1234.4), f(1300), nil, nil}, Value: []*float64{nil, f(1300), f(1320.5), f(1340)},
			Lower: []*float64{nil, f(1300), f(1200), f(1100)}, Upper: []*float64{nil, f(1300), f(1499.49), f(1600)}},
		{Series: "feature:auto_indexing", Unit: insights.UnitPct, From: "2027-01-01",
			Actual: []*float64{nil, nil, nil}, Value: []*float64{f(40.25), f(41.04), f(42)}, Lower: []*float64{f(40.25), f(0), f(0)},
			Upper: []*float64{f(40.25), f(100), f(100)}},
	}}
	got := forecastTexts(answer, asOf)
	if !slices.Equal(got.Days, []string{"2026-12-31", "2027-01-01", "2027-01-02", "2027-01-03"}) {
		t.Errorf("days %q", got.Days)
	}
	want := []pathText{
		{Actual: []string{"1,234", "1,300"}, Value: []string{"1,300", "1,321", "1,340"}, Lower: []string{"1,300", "1,200", "1,100"},
			Upper: []string{"1,300", "1,499", "1,600"}},
		// A share with no actual value on as_of: the forecast line starts
		// at the last known one.
		{Actual: []string{"–"}, Value: []string{"40.3 %", "41.0 %", "42.0 %"}, Lower: []string{"40.3 %", "0.0 %", "0.0 %"},
			Upper: []string{"40.3 %", "100.0 %", "100.0 %"}},
	}
	if len(got.Paths) != len(want) {
		t.Fatalf("%d paths, want %d", len(got.Paths), len(want))
	}
	for i, p := range got.Paths {
		w := want[i]
		if !slices.Equal(p.Actual, w.Actual) || !slices.Equal(p.Value, w.Value) || !slices.Equal(p.Lower, w.Lower) || !slices.Equal(p.Upper, w.Upper) {
			t.Errorf("%s: %+v, want %+v", answer.Paths[i].Series, p, w)
		}
	}
	if empty := forecastTexts(&insights.Forecasts{Horizons: []int{30}}, asOf); empty.Days == nil || empty.Paths == nil {
		t.Errorf("without paths: %+v, want empty lists (not null, for the script)", empty)
	}
}
