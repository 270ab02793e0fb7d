package server

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/dashboard"
	"github.com/indexpilot/indexpilot-telemetry/internal/experiment"
)

// The Experiments view: each experiment's decision, effect and interval
// drawn day by day, installations per variant and the sample-ratio
// warning. The server renders every figure and table; the script
// (web/static/experiments.js) draws the charts and refreshes from
// GET /api/v1/experiments with the same texts (decisionText, effectText,
// formatEffect there).

type experimentsPage struct {
	Refresh     int
	Updated     string // RFC 3339
	UpdatedText string
	Experiments []experimentCard
	Method      experiment.Method
}

// experimentCard is one experiment as the page shows it.
type experimentCard struct {
	Name, Desc, Decision, DecisionText, Effect string
	SRM                                        bool
	HasInterval                                bool
	VariantHead                                []string
	Variants                                   [][]string
	HistoryHead                                []string
	History                                    [][]string
}

// experimentsPage is GET /experiments, for signed-in maintainers.
func (s *Server) experimentsPage(w http.ResponseWriter, r *http.Request) error {
	if ok, err := s.signedIn(w, r); !ok || err != nil {
		return err
	}
	all, err := s.exp.All(r.Context())
	if err != nil {
		return unavailable(err)
	}
	now := s.now().UTC()
	p := &experimentsPage{Refresh: defaultRefresh, Updated: now.Format(time.RFC3339),
		UpdatedText: now.Format("15:04:05") + " UTC", Method: experiment.DefaultMethod}
	if n, err := strconv.Atoi(r.URL.Query().Get("refresh")); err == nil && n >= 1 && n <= maxRefresh {
		p.Refresh = n
	}
	for _, a := range all {
		p.Experiments = append(p.Experiments, newExperimentCard(a))
	}
	return render(w, http.StatusOK, "experiments", p)
}

func newExperimentCard(a *experiment.Analysis) experimentCard {
	c := experimentCard{Name: a.Name, Decision: a.Decision, DecisionText: decisionText(a), Effect: effectText(a),
		SRM: a.SRMWarning, VariantHead: []string{"Variant", "Planned share", "Installations", "Measured", "Reports", "Mean", "SD"}}
	better := "higher"
	if !a.HigherIsBetter {
		better = "lower"
	}
	c.Desc = fmt.Sprintf("%s, %s to %s (UTC). Judged on %s, %s is better; minimum effect %s.", statusText(a.Status),
		a.From, a.To, a.Metric, better, formatEffect(a.MinEffect, a.Metric, false))
	for _, v := range a.Variants {
		c.Variants = append(c.Variants, []string{v.Variant, dashboard.FormatPlain(v.Share*100) + " %", formatInt(v.Installations),
			formatInt(v.Measured), formatInt(int(v.Reports)), optional(v.Mean), optional(v.SD)})
	}
	c.HistoryHead = []string{"Day"}
	for _, v := range a.Variants {
		c.HistoryHead = append(c.HistoryHead, v.Variant)
	}
	c.HistoryHead = append(c.HistoryHead, "Estimate", "Low", "High", "Decision")
	for i := len(a.History) - 1; i >= 0; i-- { // newest first
		d := a.History[i]
		row := []string{d.Day}
		for _, n := range d.Installations {
			row = append(row, formatInt(n))
		}
		row = append(row, optional(d.Estimate), optional(d.Low), optional(d.High), d.Decision)
		c.History = append(c.History, row)
		c.HasInterval = c.HasInterval || d.Low != nil
	}
	return c
}

func statusText(status string) string {
	return map[string]string{experiment.Scheduled: "Scheduled", experiment.Running: "Running", experiment.Ended: "Ended"}[status]
}

// decisionText is the decision in words; keep_running says how long.
func decisionText(a *experiment.Analysis) string {
	switch a.Decision {
	case experiment.TreatmentBetter:
		return a.Effect.Variant + " is better"
	case experiment.ControlBetter:
		return "control is better"
	case experiment.NoDifference:
		return "no difference"
	case experiment.KeepRunning:
		if a.ExpectedDays != nil {
			return fmt.Sprintf("keep running (about %s more)", dayCount(*a.ExpectedDays))
		}
		return "keep running"
	}
	return "insufficient data"
}

// effectText is the first treatment's effect and interval.
func effectText(a *experiment.Analysis) string {
	e := a.Effect
	if e == nil || e.Estimate == nil {
		return "No effect yet: no variant has two measured installations."
	}
	s := fmt.Sprintf("%s − control: %s", e.Variant, formatEffect(*e.Estimate, a.Metric, true))
	if e.Relative != nil {
		s += fmt.Sprintf(" (%s %% of the control’s mean)", signedPlain(*e.Relative*100))
	}
	if e.Low != nil {
		s += fmt.Sprintf("; always-valid 95 %% interval %s to %s", formatEffect(*e.Low, a.Metric, true), formatEffect(*e.High, a.Metric, true))
	}
	return s + "."
}

// units of each metric's difference.
var effectUnits = map[string]string{"performance_improvement_pct": "pp", "error_rate": "pp", "latency_p95_ms": "ms",
	"indexes_created": "indexes"}

// formatEffect formats a difference (or a size) in the metric's unit
// with two decimals; sign adds + to positive numbers.
func formatEffect(x float64, metric string, sign bool) string {
	s := dashboard.FormatDecimal(math.Abs(x))
	switch {
	case x < 0 && s != "0.00":
		s = "−" + s
	case sign && x > 0 && s != "0.00":
		s = "+" + s
	}
	return strings.TrimSpace(s + " " + effectUnits[metric])
}

func signedPlain(x float64) string {
	switch p := dashboard.FormatPlain(x); {
	case strings.HasPrefix(p, "-"):
		return "−" + p[1:]
	case p != "0.0":
		return "+" + p
	default:
		return p
	}
}

func optional(x *float64) string {
	if x == nil {
		return dashboard.Missing
	}
	return strings.Replace(dashboard.FormatDecimal(*x), "-", "−", 1)
}

func formatInt(n int) string { return dashboard.FormatCount(int64(n)) }

// dayCount words a number of days: "1 day", "12 days".
func dayCount(n int) string {
	if n == 1 {
		return "1 day"
	}
	return strconv.Itoa(n) + " days"
}
