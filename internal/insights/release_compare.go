package insights

import (
	"math"
	"slices"
	"strings"

	"github.com/indexpilot/indexpilot-telemetry/internal/dashboard"
	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
	"github.com/indexpilot/indexpilot-telemetry/internal/stats"
)

// Evaluate compares every version of the plan with its predecessor — the
// latest earlier version that was adopted and is not itself recommended
// for rollback; for a stable version, the latest such stable version, as
// a pre-release is no standard for a release — and recommends; newest
// version first. h must hold the bitmaps of pl.BitmapDays().
func (pl *ReleasePlan) Evaluate(h *ReleaseHistory) []Release {
	var healthy, healthyStable *versionInfo
	out := make([]Release, 0, len(pl.versions))
	for _, vi := range pl.versions {
		base := healthy
		if !prerelease(vi.version) {
			base = healthyStable
		}
		r := pl.evaluate(h, vi, base)
		if vi.everAdopted && r.Recommendation != Rollback {
			healthy = vi
			if !prerelease(vi.version) {
				healthyStable = vi
			}
		}
		out = append(out, r)
	}
	slices.Reverse(out)
	return out
}

func (pl *ReleasePlan) evaluate(h *ReleaseHistory, vi *versionInfo, base *versionInfo) Release {
	p := pl.params
	days := vi.window
	cand := newSample(h, vi.version, days)
	r := Release{Version: vi.version, Stage: vi.stage, Adoption: vi.adoption, FirstSeen: vi.first.String(),
		Installations: h.Installations[vi.version], Reports: h.Reports[vi.version],
		CompareFrom: days[0].String(), CompareTo: days[len(days)-1].String(), ComparedInstallations: cand.installs,
		ErrorRate: cand.errorRate(), ErrorsPerReport: cand.errorsPerReport(), AvgImprovementPct: cand.avgImprovement(),
		LatencyMS: cand.latency(), ByAge: byAge(h, vi), Reasons: []string{}}
	if cand.installs > 0 {
		r.ErrorFreeInstallations = ptr(float64(cand.errorFree) / float64(cand.installs))
	}
	if base == nil {
		r.Recommendation = Monitor
		if vi.stage != StageNew {
			r.Recommendation = Continue
		}
		r.Reasons = append(r.Reasons, "no earlier adopted version to compare with")
		return r
	}
	bdays, alignment := alignedDays(h, vi, base, days)
	bs := newSample(h, base.version, bdays)
	c := p.compare(cand, bs, alignment)
	r.Baseline = c.baseline()
	r.BaselineVersion, r.BaselineErrorRate, r.ErrorRateRatio = base.version, r.Baseline.ErrorRate, r.Baseline.ErrorRateRatio
	r.PValue, r.BaselineAvgImprovementPct = r.Baseline.ErrorRatePValue, r.Baseline.AvgImprovementPct
	r.Recommendation, r.Reasons = p.recommend(vi, c, h)
	return r
}

// alignedDays returns the predecessor's days that match days of the
// version: the same days of age when both were released within the
// stored history, else the same calendar days.
func alignedDays(h *ReleaseHistory, vi, base *versionInfo, days []rollup.Day) ([]rollup.Day, string) {
	shift := vi.first - base.first
	if vi.beforeHistory || base.beforeHistory || days[len(days)-1]-shift > h.Last {
		return days, "calendar"
	}
	out := make([]rollup.Day, len(days))
	for i, d := range days {
		out[i] = d - shift
	}
	return out, "age"
}

// byAge is a version's error rate on each day of age, when its release
// is within the stored history.
func byAge(h *ReleaseHistory, vi *versionInfo) []AgePoint {
	out := []AgePoint{}
	if vi.beforeHistory {
		return out
	}
	for d := vi.first; d <= h.Last; d++ {
		if vd := h.Versions[vi.version][d]; vd != nil && vd.Counters.Reports > 0 {
			out = append(out, AgePoint{Age: int(d-vi.first) + 1, Day: d.String(), Reports: vd.Counters.Reports,
				ErrorRate: *fraction(dashboard.ErrorRatePct(vd.Counters))})
		}
	}
	return out
}

// comparison holds the tests of one version against its predecessor.
type comparison struct {
	p         ReleaseParams
	cand, bs  *sample
	alignment string

	haveErr                  bool
	ratio, lo, hi, pTwo      float64 // error-rate ratio, its interval and two-sided p
	pWorse                   float64 // one-sided p of "no more than 1+ErrorMargin times"
	noWorseHi                float64 // one-sided upper bound at NoWorseLevel
	lr, varCand, varBase     float64 // log ratio and the variances each side adds
	havePerf                 bool
	diff, dLo, dHi, dP       float64 // improvement difference, interval, two-sided p
	dWorseP, dNoWorseLo      float64
	seCand2, seBase2, perfDF float64
}

func (p ReleaseParams) compare(cand, bs *sample, alignment string) *comparison {
	c := &comparison{p: p, cand: cand, bs: bs, alignment: alignment}
	if cand.c.Reports > 0 && bs.c.Reports > 0 {
		c.haveErr = true
		c.ratio = *cand.errorRate() / math.Max(*bs.errorRate(), 1e-12)
		c.lo, c.hi = stats.RatioInterval(cand.errored, bs.errored, p.Level)
		c.pTwo = stats.RatioPValue(cand.errored, bs.errored)
		c.lr, c.varCand, c.varBase = stats.LogRatioVars(cand.errored, bs.errored)
		se := math.Sqrt(c.varCand + c.varBase)
		c.pWorse = stats.AlwaysValidP(c.lr/se, se, p.ErrorTau)
		_, c.noWorseHi = stats.RatioInterval(cand.errored, bs.errored, 1-2*(1-p.NoWorseLevel))
	}
	a, b := cand.improvement(), bs.improvement()
	// Without sums of squares (rollups older than the counter) the spread
	// is unknown: no test rather than a test with a width of zero.
	if a.N >= 2 && b.N >= 2 && (a.Var > 0 || b.Var > 0) {
		c.havePerf = true
		var se float64
		c.diff, se, c.perfDF = stats.Welch(a, b)
		c.seCand2, c.seBase2 = a.Var/a.N, b.Var/b.N
		t := stats.StudentQuantile(1-(1-p.Level)/2, c.perfDF)
		c.dLo, c.dHi = c.diff-t*se, c.diff+t*se
		c.dP, c.dWorseP, c.dNoWorseLo = 1, 1, math.Inf(-1)
		if se > 0 {
			c.dP = 2 * stats.StudentSurvival(math.Abs(c.diff)/se, c.perfDF)
			c.dWorseP = stats.AlwaysValidP(-c.diff/se, se, p.ImprovementTau)
			c.dNoWorseLo = c.diff - stats.StudentQuantile(p.NoWorseLevel, c.perfDF)*se
		}
	}
	return c
}

// baseline is the comparison as the API reports it.
func (c *comparison) baseline() *Baseline {
	b := &Baseline{Version: c.bs.version, Alignment: c.alignment, From: c.bs.days[0].String(),
		To: c.bs.days[len(c.bs.days)-1].String(), Installations: c.bs.installs, ErrorRate: c.bs.errorRate(),
		AvgImprovementPct: c.bs.avgImprovement(), LatencyMS: c.bs.latency()}
	if c.haveErr {
		b.ErrorRateRatio, b.ErrorRatePValue = ptr(c.ratio), ptr(c.pTwo)
		b.ErrorRateRatioCI = []float64{c.lo, c.hi}
	}
	if c.havePerf {
		b.ImprovementDiff, b.ImprovementPValue = ptr(c.diff), ptr(c.dP)
		b.ImprovementDiffCI = []float64{c.dLo, c.dHi}
	}
	return b
}

// errorWorse: the error rate is reliably higher than the predecessor's
// (always-valid p under Alpha), at least (1+ErrorMargin) times it and
// ErrorMarginAbs above it.
func (c *comparison) errorWorse() bool {
	return c.haveErr && c.pWorse < c.p.Alpha && c.ratio >= 1+c.p.ErrorMargin &&
		*c.cand.errorRate()-*c.bs.errorRate() >= c.p.ErrorMarginAbs
}

// improvementWorse: the improvement is reliably lower than the
// predecessor's, by ImprovementMargin points or more.
func (c *comparison) improvementWorse() bool {
	return c.havePerf && c.dWorseP < c.p.Alpha && c.diff <= -c.p.ImprovementMargin
}

func (c *comparison) errorNoWorse() bool { return !c.haveErr || c.noWorseHi < 1+c.p.ErrorMargin }

func (c *comparison) improvementNoWorse() bool {
	return !c.havePerf || c.dNoWorseLo > -c.p.ImprovementMargin
}

// prerelease tells whether v is a pre-release: something other than build
// metadata follows its numbers ("1.1.0a8", "1.2.0rc1", "2.0.0-beta.1",
// "1.3.0.dev2"; not "1.2.0" or "1.2.0+build5").
func prerelease(v string) bool {
	rest := strings.TrimLeft(v, "0123456789.")
	return rest != "" && rest[0] != '+'
}
