package insights

import (
	"fmt"
	"math"

	"github.com/indexpilot/indexpilot-telemetry/internal/dashboard"
	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"

	"github.com/indexpilot/indexpilot-telemetry/internal/stats"
)

// recommend turns a comparison into a recommendation and its reasons.
func (p ReleaseParams) recommend(vi *versionInfo, c *comparison, h *ReleaseHistory) (string, []string) {
	var reasons []string
	if c.haveErr {
		reasons = append(reasons, c.errorReason())
	}
	if c.havePerf {
		reasons = append(reasons, c.improvementReason())
	}
	if !c.haveErr && !c.havePerf {
		return Monitor, []string{"no reports of both versions to compare yet"}
	}
	if c.errorWorse() || c.improvementWorse() {
		if c.cand.installs >= p.MinInstallations {
			return Rollback, append(reasons, c.marginReason())
		}
		return Monitor, append(reasons, fmt.Sprintf("looks worse, but only %d installations ran it in the compared days: a rollback needs at least %d",
			c.cand.installs, p.MinInstallations))
	}
	if c.errorNoWorse() && c.improvementNoWorse() {
		switch vi.stage {
		case StageNew:
			return Promote, append(reasons, fmt.Sprintf("no worse than %s, and %s of the active installations run it (adopted from %s)",
				c.bs.version, percent(vi.adoption), percent(p.AdoptedShare)))
		case StageReplaced:
			return Continue, append(reasons, "no worse than "+c.bs.version+"; replaced since")
		}
		return Continue, append(reasons, "no worse than "+c.bs.version)
	}
	return Monitor, append(reasons, c.needMore(h))
}

func (c *comparison) span() string {
	if c.alignment == "age" {
		return fmt.Sprintf("days 1–%d after each release", len(c.cand.days))
	}
	return fmt.Sprintf("the same days (%s to %s)", c.cand.days[0], c.cand.days[len(c.cand.days)-1])
}

func (c *comparison) errorReason() string {
	return fmt.Sprintf("error rate %s against %s for %s over %s: ×%.2f (%s CI ×%.2f–×%.2f, %s), %d and %d installations",
		percent(*c.cand.errorRate()), percent(*c.bs.errorRate()), c.bs.version, c.span(), c.ratio,
		levelText(c.p.Level), c.lo, c.hi, pText(c.pTwo), c.cand.installs, c.bs.installs)
}

func (c *comparison) improvementReason() string {
	return fmt.Sprintf("average improvement %s against %s for %s: %s points (%s CI %s to %s, %s)",
		dashboard.FormatPct(c.cand.avgImprovement()), dashboard.FormatPct(c.bs.avgImprovement()), c.bs.version,
		dashboard.FormatSigned(c.diff), levelText(c.p.Level), dashboard.FormatSigned(c.dLo), dashboard.FormatSigned(c.dHi), pText(c.dP))
}

func (c *comparison) marginReason() string {
	var what []string
	if c.errorWorse() {
		what = append(what, fmt.Sprintf("an error rate at least ×%.2f of %s's and %s more, reliably higher (always-valid p = %.3f < %.2f)",
			1+c.p.ErrorMargin, c.bs.version, points(c.p.ErrorMarginAbs), c.pWorse, c.p.Alpha))
	}
	if c.improvementWorse() {
		what = append(what, fmt.Sprintf("an improvement %.1f points or more below %s's, reliably lower (always-valid p = %.3f < %.2f)",
			c.p.ImprovementMargin, c.bs.version, c.dWorseP, c.p.Alpha))
	}
	s := "worse beyond the practical margin: " + what[0]
	if len(what) > 1 {
		s += "; " + what[1]
	}
	return s
}

// needMore says how much more data would show the version no worse: as
// the compared days grow, both sides' data grow together, so the
// variances shrink by the same factor; the answer is the installation-days
// at which the one-sided bound would clear the margin if the estimates
// stayed where they are.
func (c *comparison) needMore(h *ReleaseHistory) string {
	pace := 0.0 // installations a day: the last day's or the day before's, whichever is more
	for _, d := range []rollup.Day{h.Last, h.Last - 1} {
		if vd := h.Versions[c.cand.version][d]; vd != nil {
			pace = math.Max(pace, float64(vd.Installs))
		}
	}
	z := stats.NormalQuantile(c.p.NoWorseLevel)
	factor, what := 1.0, ""
	if c.haveErr && !c.errorNoWorse() {
		room := (math.Log(1+c.p.ErrorMargin) - c.lr) / z // lr + z·se < ln(1+margin)
		if room <= 0 {
			return fmt.Sprintf("its error rate is ×%.2f of %s's, past the margin of ×%.2f without being reliably worse: more data will tell",
				c.ratio, c.bs.version, 1+c.p.ErrorMargin)
		}
		factor, what = (c.varCand+c.varBase)/(room*room), fmt.Sprintf("its error rate is within ×%.2f of %s's", 1+c.p.ErrorMargin, c.bs.version)
	}
	if c.havePerf && !c.improvementNoWorse() {
		room := (c.diff + c.p.ImprovementMargin) / z
		if room <= 0 {
			return fmt.Sprintf("its improvement is %s points from %s's, past the margin of %.1f without being reliably worse: more data will tell",
				dashboard.FormatSigned(c.diff), c.bs.version, c.p.ImprovementMargin)
		}
		if f := (c.seCand2 + c.seBase2) / (room * room); f > factor {
			factor, what = f, fmt.Sprintf("its improvement is within %.1f points of %s's", c.p.ImprovementMargin, c.bs.version)
		}
	}
	if what == "" { // each measure is no worse alone
		return "not enough data yet to tell it is no worse than " + c.bs.version
	}
	need := math.Ceil(c.cand.errored.Den * (factor - 1))
	s := fmt.Sprintf("not enough data yet: about %.0f more installation-days to tell whether %s", need, what)
	if pace > 0 {
		s += fmt.Sprintf(" (about %.0f days at its current %.0f installations a day)", math.Ceil(need/pace), pace)
	}
	return s
}

// percent writes a share (0.21) as the dashboard writes percentages.
func percent(x float64) string { return dashboard.FormatRate(&x) }

func levelText(x float64) string { return fmt.Sprintf("%.0f %%", 100*x) }

func points(x float64) string { return fmt.Sprintf("%.1f points", 100*x) }

func pText(p float64) string {
	if p < 0.001 {
		return "p < 0.001"
	}
	return fmt.Sprintf("p = %.3f", p)
}
