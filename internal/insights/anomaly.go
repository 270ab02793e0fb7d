package insights

import (
	"math"

	"github.com/indexpilot/indexpilot-telemetry/internal/dashboard"
	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
)

// Metrics of the anomalies (the API's "metric" values).
const (
	MetricActive      = "active_installations"
	MetricReports     = "reports"
	MetricErrorRate   = "error_rate"
	MetricErrorCount  = "error_count"
	MetricImprovement = "avg_improvement_pct"
	MetricDecision    = "decision_rate"
)

// Severities of an anomaly.
const (
	SeverityHigh   = "high"
	SeverityMedium = "medium"
)

// SeriesKind tells how a daily series is judged.
type SeriesKind int

const (
	// KindCount is a count per day, judged with a count tail test that
	// allows for overdispersion.
	KindCount SeriesKind = iota
	// KindRate is a share: Num out of Den, judged against its history
	// and never more precisely than the binomial allows.
	KindRate
	// KindMean is an average: Num is the sum of Den values.
	KindMean
)

// Series is one metric of one scope, day by day. Index i is day From+i.
type Series struct {
	Metric string
	Scope  string
	Kind   SeriesKind
	From   rollup.Day
	Num    []float64 // the count, the rate's numerator or the mean's sum
	Den    []float64 // the rate's denominator or the mean's count; nil for counts
}

// value returns the series' value at i, NaN where it is undefined.
func (s *Series) value(i int) float64 {
	if s.Kind == KindCount {
		return s.Num[i]
	}
	if s.Den[i] <= 0 {
		return math.NaN()
	}
	return s.Num[i] / s.Den[i]
}

// AnomalyParams are the anomaly detector's parameters. DefaultAnomalyParams
// are the documented ones (docs/insights.md), whose false-alarm rate and
// detection delay the simulations in the tests measure.
type AnomalyParams struct {
	// History is how many days before a day it is judged against.
	History int
	// MinHistory: a day with fewer days of history (with a value) is not
	// judged.
	MinHistory int
	// Recent is how many of the latest history days set the level; the
	// whole history sets the weekday profile, the trend and the spread.
	Recent int
	// PairZ and PairSumZ: two days in a row on the same side, each beyond
	// PairZ standard deviations and together (Stouffer's sum, divided by
	// √2) beyond PairSumZ, make the second one an anomaly.
	PairZ, PairSumZ float64
	// BandZ is the half-width of the band drawn and reported (lower,
	// upper), in standard deviations.
	BandZ float64
	// SingleZ: one day beyond SingleZ is an anomaly by itself.
	SingleZ float64
	// HighZ and HighChange make an anomaly high severity: evidence beyond
	// HighZ, or a change of at least HighChange of the expected value (a
	// doubling is 1.0, halving 0.5).
	HighZ, HighChange float64
	// MinCount: a count alarms only when its value or its expected value
	// is at least MinCount.
	MinCount float64
	// MinDen: a rate or a mean alarms only on a day with at least MinDen
	// reports (or uses) behind it.
	MinDen float64
	// MinEvents: a rate alarms only when its numerator, observed or
	// expected, is at least MinEvents.
	MinEvents float64
}

// DefaultAnomalyParams returns the documented parameters.
func DefaultAnomalyParams() AnomalyParams {
	return AnomalyParams{History: 56, MinHistory: 21, Recent: 14, PairZ: 1.5, PairSumZ: 3.5, SingleZ: 4.0, BandZ: 2.5,
		HighZ: 6, HighChange: 0.5, MinCount: 10, MinDen: 30, MinEvents: 5}
}

// judgement is how one day compares with its history.
type judgement struct {
	known              bool // enough history for an expected value
	judged             bool // and enough counts to alarm
	value, expected, z float64
	kind               SeriesKind
	spread             float64 // counts: the overdispersion; rates and means: the standard deviation
}

// Anomaly is one day on which a series left the band its history leads to
// expect.
type Anomaly struct {
	Metric   string  `json:"metric"`
	Scope    string  `json:"scope"`
	Day      string  `json:"day"`
	Value    float64 `json:"value"`
	Expected float64 `json:"expected"`
	Lower    float64 `json:"lower"`
	Upper    float64 `json:"upper"`
	Severity string  `json:"severity"`
	// Z is the evidence in standard deviations, signed: positive above the
	// band.
	Z float64 `json:"z"`
	// Rule is "one day" (beyond SingleZ) or "two days" (beyond PairZ on
	// this day and the one before).
	Rule string `json:"rule"`
	// Series is the metric around the day, with its band.
	Series *BandSeries `json:"series,omitempty"`
}

// BandSeries is a metric day by day with the band it was judged against;
// nulls where a day had no value or could not be judged.
type BandSeries struct {
	Days     []string   `json:"days"`
	Values   []*float64 `json:"values"`
	Expected []*float64 `json:"expected"`
	Lower    []*float64 `json:"lower"`
	Upper    []*float64 `json:"upper"`
}

// Detect returns the anomalies of s on the days from..to (both included;
// days outside the series are skipped), oldest first.
func (p AnomalyParams) Detect(s *Series, from, to rollup.Day) []Anomaly {
	return p.Judge(s, from-1, to).Anomalies(from, to)
}

// Band returns s on the days from..to with the band each day was judged
// against.
func (p AnomalyParams) Band(s *Series, from, to rollup.Day) *BandSeries {
	return p.Judge(s, from, to).Band(from, to)
}

// Judged is a series with each day of a span judged once, for finding
// anomalies and drawing bands without judging a day twice.
type Judged struct {
	p    AnomalyParams
	s    *Series
	from rollup.Day
	js   []judgement // day from+i; zero outside the series
}

// Judge judges s on the days from..to.
func (p AnomalyParams) Judge(s *Series, from, to rollup.Day) *Judged {
	jd := &Judged{p: p, s: s, from: from, js: make([]judgement, max(int(to-from)+1, 0))}
	sc := newScratch(p.History)
	for k := range jd.js {
		if i := int(from-s.From) + k; i >= 0 && i < len(s.Num) {
			jd.js[k] = p.judge(s, i, sc)
		}
	}
	return jd
}

// at returns the judgement of day d (zero when not judged).
func (jd *Judged) at(d rollup.Day) judgement {
	if k := int(d - jd.from); k >= 0 && k < len(jd.js) {
		return jd.js[k]
	}
	return judgement{}
}

// Anomalies returns the anomalies among the judged days from..to (the day
// before from must be judged too, for the two-day rule).
func (jd *Judged) Anomalies(from, to rollup.Day) []Anomaly {
	var out []Anomaly
	for d := from; d <= to; d++ {
		if a, ok := jd.p.flag(jd.s, d, jd.at(d-1), jd.at(d)); ok {
			out = append(out, a)
		}
	}
	return out
}

// Band returns the judged days from..to with their bands.
func (jd *Judged) Band(from, to rollup.Day) *BandSeries {
	b := &BandSeries{}
	for d := from; d <= to; d++ {
		b.Days = append(b.Days, d.String())
		j := jd.at(d)
		var v, e, lo, hi *float64
		if j.known {
			if !math.IsNaN(j.value) {
				v = &j.value
			}
			l, u := jd.p.band(j)
			e, lo, hi = &j.expected, &l, &u
		} else if i := int(d - jd.s.From); i >= 0 && i < len(jd.s.Num) {
			if x := jd.s.value(i); !math.IsNaN(x) {
				v = &x
			}
		}
		b.Values, b.Expected, b.Lower, b.Upper = append(b.Values, v), append(b.Expected, e), append(b.Lower, lo), append(b.Upper, hi)
	}
	return b
}

// flag tells whether day d, judged j after a day judged prev, is an
// anomaly.
func (p AnomalyParams) flag(s *Series, d rollup.Day, prev, j judgement) (Anomaly, bool) {
	if !j.judged {
		return Anomaly{}, false
	}
	rule := ""
	switch {
	case math.Abs(j.z) >= p.SingleZ:
		rule = "one day"
	case prev.judged && (j.z > 0) == (prev.z > 0) && math.Min(math.Abs(j.z), math.Abs(prev.z)) >= p.PairZ &&
		(math.Abs(j.z)+math.Abs(prev.z))/math.Sqrt2 >= p.PairSumZ:
		rule = "two days"
	default:
		return Anomaly{}, false
	}
	a := Anomaly{Metric: s.Metric, Scope: s.Scope, Day: d.String(), Value: j.value, Expected: j.expected,
		Z: j.z, Rule: rule, Severity: SeverityMedium}
	a.Lower, a.Upper = p.band(j)
	change := math.Inf(1)
	if j.expected != 0 {
		change = math.Abs(j.value-j.expected) / math.Abs(j.expected)
	}
	if math.Abs(j.z) >= p.HighZ || change >= p.HighChange {
		a.Severity = SeverityHigh
	}
	return a, true
}

// FormatValue writes a value of metric in its unit, as the dashboard
// writes numbers: rates as percentages ("21.0 %"), the improvement in
// percent, counts as whole numbers.
func FormatValue(metric string, f float64) string {
	switch metric {
	case MetricErrorRate, MetricDecision:
		f *= 100
		fallthrough
	case MetricImprovement:
		return dashboard.FormatPct(&f)
	}
	return dashboard.FormatCount(int64(math.Round(f)))
}
