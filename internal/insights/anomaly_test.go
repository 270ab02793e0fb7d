package insights

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
)

// flat returns a count series of days around level with Poisson-like
// noise drawn from rng, with the weekly profile.
func flat(rng *rand.Rand, days int, level float64) *Series {
	return simSeries(rng, KindCount, days, level, 0, 0)
}

func TestAnomalyNamesTheDay(t *testing.T) {
	p := DefaultAnomalyParams()
	rng := rand.New(rand.NewPCG(1, 1))
	s := flat(rng, 70, 200)
	s.Metric, s.Scope = MetricErrorCount, "error:OperationalError"
	spike := 65
	s.Num[spike] *= 3
	as := p.Detect(s, s.From+60, s.From+69)
	if len(as) != 1 {
		t.Fatalf("a tripled day among 70: %d anomalies, want 1: %+v", len(as), as)
	}
	a := as[0]
	if a.Day != (s.From+rollup.Day(spike)).String() || a.Metric != MetricErrorCount || a.Scope != "error:OperationalError" ||
		a.Value != s.Num[spike] || a.Severity != SeverityHigh || a.Rule != "one day" || a.Z < p.SingleZ {
		t.Errorf("anomaly %+v does not name the tripled day %s with its value %v, high severity", a, (s.From + rollup.Day(spike)), s.Num[spike])
	}
	if !(a.Lower < a.Expected && a.Expected < a.Upper && a.Upper < a.Value) {
		t.Errorf("band %v < %v < %v does not lie below the value %v", a.Lower, a.Expected, a.Upper, a.Value)
	}
	b := p.Band(s, s.From+50, s.From+69)
	if len(b.Days) != 20 || *b.Values[spike-50] != s.Num[spike] || b.Upper[spike-50] == nil || *b.Upper[spike-50] != a.Upper {
		t.Errorf("band series around the anomaly does not hold its value and band")
	}
	if b.Expected[0] == nil {
		t.Error("day 50 has 50 days of history but no expected value")
	}
}

func TestAnomalyWeeklyPattern(t *testing.T) {
	// Weekends at 60 % are not anomalies; a weekday at the weekend's level is.
	p := DefaultAnomalyParams()
	rng := rand.New(rand.NewPCG(2, 2))
	s := flat(rng, 84, 1000)
	if as := p.Detect(s, s.From+56, s.From+83); len(as) != 0 {
		t.Fatalf("a clean weekly pattern raised %+v", as)
	}
	var monday int
	for i := 70; ; i++ {
		if weekday(s.From+rollup.Day(i)) == 1 {
			monday = i
			break
		}
	}
	s.Num[monday] = 600
	as := p.Detect(s, s.From+56, s.From+83)
	if len(as) != 1 || as[0].Day != (s.From+rollup.Day(monday)).String() || as[0].Z > -p.SingleZ {
		t.Errorf("a Monday at the weekend's level: %+v, want one anomaly below the band on %s", as, s.From+rollup.Day(monday))
	}
}

func TestAnomalyTrendIsNotAnAnomaly(t *testing.T) {
	// A fleet that grows by 1 % a day for 12 weeks.
	p := DefaultAnomalyParams()
	rng := rand.New(rand.NewPCG(3, 3))
	s := flat(rng, 84, 100)
	for i := range s.Num {
		s.Num[i] = math.Round(s.Num[i] * math.Pow(1.01, float64(i)))
	}
	if as := p.Detect(s, s.From+56, s.From+83); len(as) != 0 {
		t.Errorf("steady growth raised %+v", as)
	}
}

func TestAnomalyMinimumCounts(t *testing.T) {
	p := DefaultAnomalyParams()
	// An error type seen 0–2 times a day, then 6: unusual, but below the
	// minimum count of 10 it does not alarm.
	s := &Series{Metric: MetricErrorCount, Scope: "error:X", Kind: KindCount, From: simFrom, Num: make([]float64, 60)}
	for i := range s.Num {
		s.Num[i] = float64(i % 3)
	}
	s.Num[59] = 6
	if as := p.Detect(s, s.From+56, s.From+59); len(as) != 0 {
		t.Errorf("6 errors of a rare type alarmed: %+v", as)
	}
	s.Num[59] = 25
	if as := p.Detect(s, s.From+56, s.From+59); len(as) != 1 {
		t.Errorf("25 errors of a type seen 0–2 times a day: %d anomalies, want 1", len(as))
	}
	// A rate over a handful of reports never alarms, however far off.
	r := &Series{Metric: MetricErrorRate, Scope: "fleet", Kind: KindRate, From: simFrom, Num: make([]float64, 60), Den: make([]float64, 60)}
	for i := range r.Num {
		r.Num[i], r.Den[i] = 10, 100
	}
	r.Num[59], r.Den[59] = 10, 12
	if as := p.Detect(r, r.From+56, r.From+59); len(as) != 0 {
		t.Errorf("10 errored reports of 12 alarmed: %+v", as)
	}
	// Too little history: nothing is judged.
	if as := p.Detect(r, r.From+5, r.From+15); len(as) != 0 {
		t.Errorf("days with under 21 days of history alarmed: %+v", as)
	}
}
