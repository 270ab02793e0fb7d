package experiment

import (
	"math"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

// Decisions. Better and worse are read in the metric's direction.
const (
	TreatmentBetter  = "treatment_better"
	ControlBetter    = "control_better"
	NoDifference     = "no_difference"     // the interval lies within ± the minimum effect
	KeepRunning      = "keep_running"      // neither yet; see ExpectedDays
	InsufficientData = "insufficient_data" // a variant has fewer than MinInstallations
)

// Statuses of an experiment at the time of the analysis.
const (
	Scheduled = "scheduled"
	Running   = "running"
	Ended     = "ended"
)

// Analysis is an experiment's state: the variants, the effect of the
// first treatment (and every treatment in Comparisons), the split check
// and the decision, with its history day by day.
type Analysis struct {
	Name           string     `json:"name"`
	Metric         string     `json:"metric"`
	HigherIsBetter bool       `json:"higher_is_better"`
	MinEffect      float64    `json:"min_effect"`
	Status         string     `json:"status"`
	Start          time.Time  `json:"start"`
	End            *time.Time `json:"end"`
	// From and To are the days analysed (UTC): the start, or the oldest
	// day raw reports are kept for, to the end or today.
	From string `json:"from"`
	To   string `json:"to"`

	Variants    []Variant    `json:"variants"`
	Effect      *Comparison  `json:"effect"` // the first treatment against the control
	Comparisons []Comparison `json:"comparisons"`

	SRMPValue       *float64 `json:"srm_p_value"`       // the split of installations against the plan
	ReportingPValue *float64 `json:"reporting_p_value"` // reports per installation-day, control against each variant
	SRMWarning      bool     `json:"srm_warning"`       // either is under Method.SRMThreshold: trust no effect
	// MixedInstallations counts installations whose reports carried more
	// than one variant; each stays in its first.
	MixedInstallations int `json:"mixed_installations"`

	Decision     string `json:"decision"`      // Effect's decision
	ExpectedDays *int   `json:"expected_days"` // Effect's; see Comparison
	History      []Day  `json:"history"`
	Method       Method `json:"method"`
}

// Variant is what one variant's installations reported.
type Variant struct {
	Variant       string   `json:"variant"`
	Share         float64  `json:"planned_share"`
	Installations int      `json:"installations"` // that reported this assignment
	Measured      int      `json:"measured"`      // of those, with the metric: the analysis's units
	Reports       int64    `json:"reports"`
	Mean          *float64 `json:"mean"` // of the installations' outcomes
	SD            *float64 `json:"sd"`
}

// Comparison is one treatment against the control: the difference of
// their means (treatment − control, in the metric's unit), its
// always-valid interval, and the decision.
type Comparison struct {
	Variant  string   `json:"variant"`
	Estimate *float64 `json:"estimate"`
	Low      *float64 `json:"low"`
	High     *float64 `json:"high"`
	Relative *float64 `json:"relative"` // the estimate over the control's mean
	Decision string   `json:"decision"`
	// ExpectedDays is, for keep_running and insufficient_data, the days
	// until a decision if installations keep entering at the last seven
	// days' rate and the estimate stays where it is; nil when that never
	// happens (none enter any more, or the estimate sits on the boundary).
	ExpectedDays *int `json:"expected_days"`
	// InstallationsNeeded is each variant's measured installations for
	// Method.Power at the minimum effect, from the outcomes' spread so far.
	InstallationsNeeded int `json:"installations_needed"`
}

// Day is the analysis as it stood at the end of one day.
type Day struct {
	Day           string   `json:"day"`
	Installations []int    `json:"installations"` // measured, per variant
	Estimate      *float64 `json:"estimate"`      // of the first treatment
	Low           *float64 `json:"low"`
	High          *float64 `json:"high"`
	Decision      string   `json:"decision"`
	SRMWarning    bool     `json:"srm_warning"`
}

// Analyze analyses experiment e from its reports rows (store.UnitDay rows
// in day order) of days from..to, as of now.
func (m Method) Analyze(e store.Experiment, rows []store.UnitDay, from, to rollup.Day, now time.Time) *Analysis {
	z := &analyzer{m: m, e: e, t: newTally(e.Variants), seq: m.sequence(m.Alpha / float64(max(1, len(e.Variants)-1)))}
	a := &Analysis{Name: e.Name, Metric: e.Metric, HigherIsBetter: e.HigherIsBetter, MinEffect: e.MinEffect,
		Status: status(e, now), Start: e.Start, End: e.End, From: from.String(), To: to.String(), Method: m}
	for d, i := from, 0; d <= to; d++ {
		for ; i < len(rows) && rows[i].Day <= d; i++ {
			z.t.add(rows[i])
		}
		a.History = append(a.History, z.day(d))
	}
	z.fill(a, to)
	return a
}

func status(e store.Experiment, now time.Time) string {
	switch {
	case now.Before(e.Start):
		return Scheduled
	case e.Running(now):
		return Running
	}
	return Ended
}

// analyzer is one analysis under way: the method, the experiment, the
// confidence sequence of its comparisons (Alpha shared among them) and
// the tally of its reports so far.
type analyzer struct {
	m   Method
	e   store.Experiment
	seq sequence
	t   *tally
}

// day is the history entry of day d, with the tally holding the reports
// up to it.
func (z *analyzer) day(d rollup.Day) Day {
	out := Day{Day: d.String(), Installations: make([]int, len(z.t.arms))}
	for i, arm := range z.t.arms {
		out.Installations[i] = arm.measured
	}
	if len(z.t.arms) > 1 {
		c := z.compare(1)
		out.Estimate, out.Low, out.High, out.Decision = c.Estimate, c.Low, c.High, c.Decision
	}
	split, reporting := z.srm(d)
	out.SRMWarning = z.warns(split) || z.warns(reporting)
	return out
}

// fill sets the variants, comparisons, checks and decision as of day to.
func (z *analyzer) fill(a *Analysis, to rollup.Day) {
	for i, name := range z.e.Variants {
		mean, variance := z.t.moments(i)
		arm := z.t.arms[i]
		a.Variants = append(a.Variants, Variant{Variant: name, Share: z.e.Split[i], Installations: arm.installations,
			Measured: arm.measured, Reports: arm.reports, Mean: finite(mean), SD: finite(math.Sqrt(variance))})
	}
	arrivals := z.t.newlyMeasured(to-6, to)
	for i := 1; i < len(z.e.Variants); i++ {
		c := z.compare(i)
		if c.Decision == KeepRunning || c.Decision == InsufficientData {
			c.ExpectedDays = z.expectedDays(i, arrivals)
		}
		c.InstallationsNeeded = z.needed(i)
		a.Comparisons = append(a.Comparisons, c)
	}
	if len(a.Comparisons) > 0 {
		a.Effect = &a.Comparisons[0]
		a.Decision, a.ExpectedDays = a.Effect.Decision, a.Effect.ExpectedDays
	}
	split, reporting := z.srm(to)
	a.SRMPValue, a.ReportingPValue = finite(split), finite(reporting)
	a.SRMWarning = z.warns(split) || z.warns(reporting)
	a.MixedInstallations = z.t.mixed
}

// srm returns the split and reporting p-values as of day d.
func (z *analyzer) srm(d rollup.Day) (split, reporting float64) {
	if len(z.t.arms) < 2 {
		return math.NaN(), math.NaN()
	}
	observed := make([]int, len(z.t.arms))
	for i, arm := range z.t.arms {
		observed[i] = arm.installations
	}
	return splitPValue(observed, z.e.Split), reportingPValue(z.t.reportRates(d))
}

func (z *analyzer) warns(p float64) bool { return p < z.m.SRMThreshold }

// compare compares arm i with the control (arm 0).
func (z *analyzer) compare(i int) Comparison {
	c := Comparison{Variant: z.e.Variants[i], Decision: InsufficientData}
	meanC, varC := z.t.moments(0)
	meanT, varT := z.t.moments(i)
	nC, nT := z.t.arms[0].measured, z.t.arms[i].measured
	if nC < 2 || nT < 2 {
		return c
	}
	est := meanT - meanC
	c.Estimate = &est
	if meanC != 0 {
		c.Relative = finite(est / math.Abs(meanC))
	}
	if nC < z.m.MinInstallations || nT < z.m.MinInstallations {
		return c
	}
	half := math.Sqrt(varC/float64(nC)+varT/float64(nT)) * z.seq.multiplier(float64(nC+nT))
	low, high := est-half, est+half
	c.Low, c.High = &low, &high
	c.Decision = decide(low, high, z.e.MinEffect, z.e.HigherIsBetter)
	return c
}

// needed is the installations per variant that comparison i needs for the
// method's power at the minimum effect, from the pooled spread so far.
func (z *analyzer) needed(i int) int {
	_, varC := z.t.moments(0)
	_, varT := z.t.moments(i)
	nC, nT := float64(z.t.arms[0].measured), float64(z.t.arms[i].measured)
	if nC < 2 || nT < 2 {
		return 0
	}
	sd := math.Sqrt((varC*(nC-1) + varT*(nT-1)) / (nC + nT - 2))
	return z.m.perArm(z.seq, sd, z.e.MinEffect)
}

// decide reads an interval of treatment − control: a side is better when
// the interval excludes no difference; no difference when it lies within
// ± the minimum effect.
func decide(low, high, minEffect float64, higherIsBetter bool) string {
	switch {
	case low > 0 && higherIsBetter, high < 0 && !higherIsBetter:
		return TreatmentBetter
	case low > 0, high < 0:
		return ControlBetter
	case low > -minEffect && high < minEffect:
		return NoDifference
	}
	return KeepRunning
}

// maxProjection is the longest expected_days given; beyond it, none.
const maxProjection = 365

// expectedDays projects comparison i forward: each variant gains
// installations at arrivals[v]/7 a day, their spread and the estimate stay
// as they are, and the first day whose interval decides is returned.
func (z *analyzer) expectedDays(i int, arrivals []int) *int {
	meanC, varC := z.t.moments(0)
	meanT, varT := z.t.moments(i)
	est := meanT - meanC
	if math.IsNaN(est) || math.IsNaN(varC) || math.IsNaN(varT) {
		return nil
	}
	rateC, rateT := float64(arrivals[0])/7, float64(arrivals[i])/7
	for d := 1; d <= maxProjection; d++ {
		nC := float64(z.t.arms[0].measured) + rateC*float64(d)
		nT := float64(z.t.arms[i].measured) + rateT*float64(d)
		if nC < float64(z.m.MinInstallations) || nT < float64(z.m.MinInstallations) {
			continue
		}
		half := math.Sqrt(varC/nC+varT/nT) * z.seq.multiplier(nC+nT)
		if decide(est-half, est+half, z.e.MinEffect, z.e.HigherIsBetter) != KeepRunning {
			return &d
		}
	}
	return nil
}

// finite returns a pointer to x, or nil when x is NaN or infinite (JSON
// has no such numbers).
func finite(x float64) *float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil
	}
	return &x
}
