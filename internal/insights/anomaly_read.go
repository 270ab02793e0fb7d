package insights

import (
	"cmp"
	"context"
	"math"
	"slices"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/dashboard"
	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
)

// bandBefore and bandAfter are the days drawn around an anomaly.
const bandBefore, bandAfter = 27, 7

// Anomalies returns the anomalies of the days whole UTC days ending
// yesterday: today is judged once it is over, since a day's counts grow
// until then.
func (h *Health) Anomalies(ctx context.Context, now time.Time, days int) (*Anomalies, error) {
	if err := checkDays(days); err != nil {
		return nil, err
	}
	judged := dashboard.LastCompleteDays(now, days)
	read := dashboard.Period{From: judged.From - rollup.Day(h.Anomaly.History) - 1, To: judged.To}
	w, err := h.counts(ctx, read, rollup.DimAll, rollup.DimVersion, rollup.DimError, rollup.DimAlgorithm, rollup.DimDecision)
	if err != nil {
		return nil, err
	}
	out := &Anomalies{From: judged.From.String(), To: judged.To.String(), Anomalies: []Anomaly{}}
	for _, s := range anomalySeries(w, h.Release.AdoptedShare) {
		jd := h.Anomaly.Judge(s, judged.From-bandBefore-1, judged.To)
		for _, a := range jd.Anomalies(judged.From, judged.To) {
			d := dayFromString(a.Day)
			a.Series = jd.Band(max(d-bandBefore, s.From), min(d+bandAfter, judged.To))
			out.Anomalies = append(out.Anomalies, a)
		}
	}
	slices.SortStableFunc(out.Anomalies, func(a, b Anomaly) int {
		return cmp.Or(cmp.Compare(b.Day, a.Day), cmp.Compare(severityRank(a.Severity), severityRank(b.Severity)),
			cmp.Compare(math.Abs(b.Z), math.Abs(a.Z)))
	})
	return out, nil
}

func severityRank(s string) int {
	if s == SeverityHigh {
		return 0
	}
	return 1
}

func dayFromString(s string) rollup.Day {
	t, _ := time.Parse(time.DateOnly, s) // Anomaly.Day is always a Day's String
	return rollup.DayOf(t)
}

// anomalySeries returns the series judged, from the window's counters,
// starting on its first day with a report: the fleet's installations,
// reports, error rate and improvement; the improvement of each version on
// at least adopted of the last day's installations; each error type's
// count; each algorithm's decision rate.
func anomalySeries(w *dashboard.Window, adopted float64) []*Series {
	first, ok := w.FirstDay(rollup.DimAll, "")
	if !ok {
		return nil
	}
	skip := w.Index(first)
	fleet := w.Counts(rollup.DimAll, "")[skip:]
	active := w.Installations(rollup.DimAll, "")[skip:]
	series := func(metric, scope string, k SeriesKind, num, den func(i int) float64) *Series {
		s := &Series{Metric: metric, Scope: scope, Kind: k, From: first, Num: make([]float64, len(fleet))}
		if k != KindCount {
			s.Den = make([]float64, len(fleet))
		}
		for i := range s.Num {
			s.Num[i] = num(i)
			if s.Den != nil {
				s.Den[i] = den(i)
			}
		}
		return s
	}
	improvement := func(scope string, cs []rollup.Counters) *Series {
		return series(MetricImprovement, scope, KindMean, func(i int) float64 { return float64(cs[i].PerfSum) / rollup.PctScale },
			func(i int) float64 { return float64(cs[i].PerfN) })
	}
	out := []*Series{
		series(MetricActive, "fleet", KindCount, func(i int) float64 { return float64(active[i]) }, nil),
		series(MetricReports, "fleet", KindCount, func(i int) float64 { return float64(fleet[i].Reports) }, nil),
		series(MetricErrorRate, "fleet", KindRate, func(i int) float64 { return float64(fleet[i].ErrorReports) },
			func(i int) float64 { return float64(fleet[i].Reports) }),
		improvement("fleet", fleet),
	}
	last := len(active) - 1
	for _, v := range w.Keys(rollup.DimVersion) {
		if n := w.Installations(rollup.DimVersion, v)[skip:]; last >= 0 && active[last] > 0 && float64(n[last])/float64(active[last]) >= adopted {
			out = append(out, improvement("version:"+v, w.Counts(rollup.DimVersion, v)[skip:]))
		}
	}
	for _, t := range w.Keys(rollup.DimError) {
		cs := w.Counts(rollup.DimError, t)[skip:]
		out = append(out, series(MetricErrorCount, "error:"+t, KindCount, func(i int) float64 { return float64(cs[i].Total) }, nil))
	}
	for _, a := range w.Keys(rollup.DimAlgorithm) {
		uses, decided := w.Counts(rollup.DimAlgorithm, a)[skip:], w.Counts(rollup.DimDecision, a)[skip:]
		out = append(out, series(MetricDecision, "algorithm:"+a, KindRate, func(i int) float64 { return float64(decided[i].Total) },
			func(i int) float64 { return float64(uses[i].Total) }))
	}
	return out
}
