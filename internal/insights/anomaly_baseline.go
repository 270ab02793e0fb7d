package insights

import (
	"math"

	"gonum.org/v1/gonum/floats"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
	"github.com/indexpilot/indexpilot-telemetry/internal/stats"
)

// How a day's expected value is made from its history (docs/insights.md):
//
//  1. Weekday profile: each history value over the centred 7-day average
//     around it; the trimmed mean of those ratios per weekday, shrunk towards 1
//     as far as the noise of seven-odd ratios calls for (a weak weekly
//     pattern is not invented from noise), normalised to average 1.
//  2. Deseasonalised history: each value over its weekday's factor.
//  3. Trend: Theil–Sen over the weekly medians of the deseasonalised
//     history (a robust slope at a 56th of the cost); the level is the
//     trimmed mean, over the Recent latest days, of what is left after the
//     trend, so a step a few weeks back does not bias today.
//  4. Spread: the robust standard deviation (1.4826·MAD) of the
//     deseasonalised values around the trend, scaled by the day's
//     weekday factor, plus the uncertainty of the level and trend
//     themselves.
//
// Small counts have a median of 0 and a MAD of 0, which would make every
// error an anomaly: below an average of smallCount a day their level is
// the trimmed mean of the whole history, and no trend is fitted.

const smallCount = 5

// trim is the share of the lowest and of the highest values that the
// trimmed means and spreads leave out: one in seven, enough to ignore a
// past anomaly per weekday. A trimmed mean at this trim keeps about
// trimEfficiency of the mean's efficiency on normal data.
const (
	trim           = 0.15
	trimEfficiency = 0.9
)

// weekday returns the day of the week of d, Sunday 0 (day 0 was a
// Thursday).
func weekday(d rollup.Day) int { return int((int64(d)%7 + 7 + 4) % 7) }

// scratch is the work space of judging days, reused from one day to
// the next.
type scratch struct {
	hist, xs, ys, resid, recent, dev, week []float64
	ratios                                 [7][]float64
}

func newScratch(history int) *scratch {
	b := func() []float64 { return make([]float64, 0, history) }
	sc := &scratch{hist: b(), xs: b(), ys: b(), resid: b(), recent: b(), dev: b(), week: b()}
	for w := range sc.ratios {
		sc.ratios[w] = make([]float64, 0, history/7+1)
	}
	return sc
}

// expect returns what s was expected to be at i, with its spread, or
// false when the history is too short.
func (p AnomalyParams) expect(s *Series, i int, sc *scratch) (judgement, bool) {
	start := max(0, i-p.History)
	sc.hist = sc.hist[:0]
	n := 0
	for k := start; k < i; k++ {
		v := s.value(k)
		sc.hist = append(sc.hist, v)
		if !math.IsNaN(v) {
			n++
		}
	}
	if n < p.MinHistory {
		return judgement{}, false
	}
	from := s.From + rollup.Day(start)
	week := sc.weekdayFactors(from)
	wd := weekday(s.From + rollup.Day(i))
	level, sigma := p.levelAndSpread(sc, week, from, s.Kind == KindCount)
	j := judgement{known: true, value: s.value(i), expected: level * week.f[wd]}
	if s.Kind != KindMean {
		j.expected = math.Max(0, j.expected)
	}
	// The day's factor is an estimate too: its error scales the level.
	sd := math.Sqrt(sigma*sigma+level*level*week.noise) * week.f[wd]
	p.score(s, i, &j, sd)
	return j, true
}

// judge is expect plus the minimum counts a day needs before it may alarm.
func (p AnomalyParams) judge(s *Series, i int, sc *scratch) judgement {
	j, ok := p.expect(s, i, sc)
	if !ok || math.IsNaN(j.value) {
		return j
	}
	switch s.Kind {
	case KindCount:
		j.judged = math.Max(j.value, j.expected) >= p.MinCount
	case KindRate:
		j.judged = s.Den[i] >= p.MinDen && math.Max(s.Num[i], j.expected*s.Den[i]) >= p.MinEvents
	case KindMean:
		j.judged = s.Den[i] >= p.MinDen
	}
	return j
}

// score sets j's z given the standard deviation sd of the day's value.
func (p AnomalyParams) score(s *Series, i int, j *judgement, sd float64) {
	e := j.expected
	j.kind = s.Kind
	switch s.Kind {
	case KindCount:
		// Never less variable than Poisson; what the history shows beyond
		// that is overdispersion.
		if e > 0 {
			j.spread = math.Max(0, (sd*sd-e)/(e*e))
		}
		up, down := stats.CountAtLeast(j.value, e, j.spread), stats.CountAtMost(j.value, e, j.spread)
		if up < down {
			j.z = stats.UpperZ(up)
		} else {
			j.z = -stats.UpperZ(down)
		}
		return
	case KindRate:
		if n := s.Den[i]; n > 0 {
			sd = math.Max(sd, math.Sqrt(e*(1-e)/n))
		}
	case KindMean:
		sd = math.Max(sd, 0.01*math.Abs(e)+1e-9) // a constant series still has a width
	}
	j.spread = sd
	if sd > 0 {
		j.z = (j.value - e) / sd
	}
}

// band returns the range of values within BandZ standard deviations of
// what j expected (for counts, the matching quantiles).
func (p AnomalyParams) band(j judgement) (lower, upper float64) {
	e := j.expected
	switch j.kind {
	case KindCount:
		tail := stats.NormalSurvival(p.BandZ)
		return stats.CountQuantile(tail, e, j.spread), stats.CountQuantile(1-tail, e, j.spread)
	case KindRate:
		return math.Max(0, e-p.BandZ*j.spread), math.Min(1, e+p.BandZ*j.spread)
	}
	return e - p.BandZ*j.spread, e + p.BandZ*j.spread
}

// weekly is a multiplicative weekday profile: a factor per weekday
// (Sunday first) averaging 1, and the variance of one factor's estimate.
type weekly struct {
	f     [7]float64
	noise float64
}

// weekdayFactors returns the weekday profile of sc.hist, whose first
// day is from.
func (sc *scratch) weekdayFactors(from rollup.Day) weekly {
	for w := range sc.ratios {
		sc.ratios[w] = sc.ratios[w][:0]
	}
	hist := sc.hist
	for k := 3; k+3 < len(hist); k++ {
		sum := 0.0
		for _, v := range hist[k-3 : k+4] {
			sum += v // NaN spreads: a window with a gap is skipped
		}
		if sum > 0 {
			w := weekday(from + rollup.Day(k))
			sc.ratios[w] = append(sc.ratios[w], hist[k]/(sum/7))
		}
	}
	var wk weekly
	sc.resid = sc.resid[:0]
	for w := range wk.f {
		wk.f[w] = 1
		if len(sc.ratios[w]) >= 2 {
			wk.f[w] = stats.TrimmedMeanInPlace(sc.ratios[w], trim)
			for _, r := range sc.ratios[w] {
				sc.resid = append(sc.resid, r-wk.f[w])
			}
		}
	}
	wk.shrink(sc)
	return wk
}

// shrink pulls the factors towards 1 by the share of their spread that
// their own noise explains (a James–Stein-style shrinkage), normalises
// them to average 1 and sets the noise left in one factor. resid are the
// ratios around their weekday's factor, in sc.resid.
func (wk *weekly) shrink(sc *scratch) {
	if len(sc.resid) == 0 {
		return
	}
	perDay := float64(len(sc.resid)) / 7
	noise := math.Pow(stats.TrimmedSigmaInto(sc.dev, sc.resid, 0, trim), 2) / (trimEfficiency * perDay) // variance of a trimmed mean of perDay ratios
	var spread float64
	for _, x := range wk.f {
		spread += (x - 1) * (x - 1)
	}
	spread /= 7
	keep := 0.0
	if spread > 0 {
		keep = math.Max(0, spread-noise) / spread
	}
	mean := 0.0
	for w := range wk.f {
		wk.f[w] = 1 + keep*(wk.f[w]-1)
		mean += wk.f[w] / 7
	}
	for w := range wk.f {
		wk.f[w] /= mean
	}
	wk.noise = keep * noise
}

// levelAndSpread returns the deseasonalised level expected on the day
// after sc.hist and the standard deviation of a deseasonalised value
// around it (including the level's own uncertainty).
func (p AnomalyParams) levelAndSpread(sc *scratch, week weekly, from rollup.Day, count bool) (level, sigma float64) {
	sc.xs, sc.ys = sc.xs[:0], sc.ys[:0]
	for k, v := range sc.hist {
		if y := v / week.f[weekday(from+rollup.Day(k))]; !math.IsNaN(y) {
			sc.xs = append(sc.xs, float64(k-len(sc.hist))) // the judged day is x = 0
			sc.ys = append(sc.ys, y)
		}
	}
	n := float64(len(sc.ys))
	if count && floats.Sum(sc.ys) < smallCount*n {
		level = stats.TrimmedMean(sc.ys, trim)
		sigma = stats.RobustSigma(sc.ys, level)
		return level, math.Sqrt(sigma*sigma*(1+1/n) + level/n)
	}
	slope := sc.weeklySlope()
	sc.resid, sc.recent = sc.resid[:0], sc.recent[:0]
	for k, y := range sc.ys {
		r := y - slope*sc.xs[k]
		sc.resid = append(sc.resid, r)
		if sc.xs[k] >= -float64(p.Recent) {
			sc.recent = append(sc.recent, r)
		}
	}
	if len(sc.recent) == 0 {
		sc.recent = append(sc.recent, sc.resid...)
	}
	recent := float64(len(sc.recent))
	level = stats.TrimmedMeanInPlace(sc.recent, trim)
	// Residuals around a profile fitted to the same days understate the
	// spread of a new day: correct for the nine parameters fitted (seven
	// factors, a level and a slope), as a variance's n−k denominator does.
	centre := stats.TrimmedMeanInPlace(sc.resid, trim)
	sigma = stats.TrimmedSigmaInto(sc.dev, sc.resid, centre, trim) * math.Sqrt(n/math.Max(n-9, 1))
	// The level and the slope are estimates too: a trimmed mean's
	// variance is about 1/trimEfficiency times a mean's; the weekly
	// Theil–Sen slope about π/2 times least squares' (12σ²/n³ for n
	// evenly spaced days), projected from the recent days' centre to the
	// judged day.
	dist := float64(p.Recent+1) / 2
	est := sigma * sigma * (1/(trimEfficiency*recent) + math.Pi/2*12*dist*dist/(n*n*n))
	return level, math.Sqrt(sigma*sigma + est)
}

// weeklySlope returns the Theil–Sen slope through the medians of the
// weeks of the deseasonalised history (sc.xs, sc.ys; counted back from
// the judged day), each placed at its week's middle. A week needs four
// values.
func (sc *scratch) weeklySlope() float64 {
	var wx, wy [16]float64
	n := 0
	k := len(sc.ys) - 1
	for end := 0.0; n < len(wx) && k >= 0; end -= 7 {
		sc.week = sc.week[:0]
		for ; k >= 0 && sc.xs[k] >= end-7; k-- {
			sc.week = append(sc.week, sc.ys[k])
		}
		if len(sc.week) >= 4 {
			wx[n], wy[n] = end-4, stats.TrimmedMeanInPlace(sc.week, 0.5)
			n++
		}
	}
	slope, _ := stats.TheilSen(wx[:n], wy[:n])
	return slope
}
