package insights

import (
	"cmp"
	"context"
	"math"
	"slices"
	"time"

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
	last := today(now) - 1
	from := last - rollup.Day(days) + 1
	series, err := h.anomalySeries(ctx, from-rollup.Day(h.Anomaly.History)-1, last)
	if err != nil {
		return nil, err
	}
	out := &Anomalies{From: from.String(), To: last.String(), Anomalies: []Anomaly{}}
	for _, s := range series {
		jd := h.Anomaly.Judge(s, from-bandBefore-1, last)
		for _, a := range jd.Anomalies(from, last) {
			d := dayFromString(a.Day)
			a.Series = jd.Band(max(d-bandBefore, s.From), min(d+bandAfter, last))
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

// anomalySeries reads the counters of from..to into the series judged:
// the fleet's installations, reports, error rate and improvement; each
// adopted version's improvement; each error type's count; each
// algorithm's decision rate.
func (h *Health) anomalySeries(ctx context.Context, from, to rollup.Day) ([]*Series, error) {
	rows, err := h.rollups(ctx, from, to, false, rollup.DimAll, rollup.DimVersion, rollup.DimError,
		rollup.DimAlgorithm, rollup.DimDecision)
	if err != nil {
		return nil, err
	}
	start := to + 1 // the first day with reports: a series starts there
	for _, r := range rows {
		if r.Dim == rollup.DimAll && r.Reports > 0 {
			start = min(start, r.Day)
		}
	}
	if start > to {
		return nil, nil
	}
	b := newSeriesBuilder(start, to)
	for _, r := range rows {
		if r.Day >= start {
			b.add(r)
		}
	}
	return b.series(h.Release.AdoptedShare), nil
}

// seriesBuilder gathers rollup rows into daily series.
type seriesBuilder struct {
	from, to rollup.Day
	fleet    [4]*Series
	versions map[string]*Series
	errors   map[string]*Series
	uses     map[string][]float64
	decided  map[string][]float64
	versionN map[string][]float64 // installations of each version per day, for adoption
}

func newSeriesBuilder(from, to rollup.Day) *seriesBuilder {
	b := &seriesBuilder{from: from, to: to, versions: map[string]*Series{}, errors: map[string]*Series{},
		uses: map[string][]float64{}, decided: map[string][]float64{}, versionN: map[string][]float64{}}
	b.fleet = [4]*Series{b.new(MetricActive, "fleet", KindCount), b.new(MetricReports, "fleet", KindCount),
		b.new(MetricErrorRate, "fleet", KindRate), b.new(MetricImprovement, "fleet", KindMean)}
	return b
}

func (b *seriesBuilder) new(metric, scope string, k SeriesKind) *Series {
	n := int(b.to-b.from) + 1
	s := &Series{Metric: metric, Scope: scope, Kind: k, From: b.from, Num: make([]float64, n)}
	if k != KindCount {
		s.Den = make([]float64, n)
	}
	return s
}

func (b *seriesBuilder) zeros() []float64 { return make([]float64, int(b.to-b.from)+1) }

func (b *seriesBuilder) add(r *rollup.Row) {
	i := int(r.Day - b.from)
	c := &r.Counters
	switch r.Dim {
	case rollup.DimAll:
		b.fleet[0].Num[i], b.fleet[1].Num[i] = float64(r.InstallsN), float64(c.Reports)
		b.fleet[2].Num[i], b.fleet[2].Den[i] = float64(c.ErrorReports), float64(c.Reports)
		b.fleet[3].Num[i], b.fleet[3].Den[i] = float64(c.PerfSum)/rollup.PctScale, float64(c.PerfN)
	case rollup.DimVersion:
		s := b.versions[r.Key.Key]
		if s == nil {
			s = b.new(MetricImprovement, "version:"+r.Key.Key, KindMean)
			b.versions[r.Key.Key], b.versionN[r.Key.Key] = s, b.zeros()
		}
		s.Num[i], s.Den[i] = float64(c.PerfSum)/rollup.PctScale, float64(c.PerfN)
		b.versionN[r.Key.Key][i] = float64(r.InstallsN)
	case rollup.DimError:
		s := b.errors[r.Key.Key]
		if s == nil {
			s = b.new(MetricErrorCount, "error:"+r.Key.Key, KindCount)
			b.errors[r.Key.Key] = s
		}
		s.Num[i] = float64(c.Total)
	case rollup.DimAlgorithm, rollup.DimDecision:
		m := b.uses
		if r.Dim == rollup.DimDecision {
			m = b.decided
		}
		if m[r.Key.Key] == nil {
			m[r.Key.Key] = b.zeros()
		}
		m[r.Key.Key][i] = float64(c.Total)
	}
}

// series returns every series, in a fixed order; versions only while
// adopted (at least adopted of the last day's installations).
func (b *seriesBuilder) series(adopted float64) []*Series {
	out := append([]*Series(nil), b.fleet[:]...)
	last := len(b.fleet[0].Num) - 1
	for _, v := range sortedKeys(b.versions) {
		if active := b.fleet[0].Num[last]; active > 0 && b.versionN[v][last]/active >= adopted {
			out = append(out, b.versions[v])
		}
	}
	for _, t := range sortedKeys(b.errors) {
		out = append(out, b.errors[t])
	}
	for _, a := range sortedKeys(b.uses) {
		s := b.new(MetricDecision, "algorithm:"+a, KindRate)
		s.Den = b.uses[a]
		if d := b.decided[a]; d != nil {
			s.Num = d
		}
		out = append(out, s)
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
