package weekly

import (
	"fmt"
	"slices"
	"strings"

	"github.com/indexpilot/indexpilot-telemetry/internal/dashboard"
	"github.com/indexpilot/indexpilot-telemetry/internal/insights"
)

// importance orders the kinds of recommendations: a rollback first, then
// anomalies, then the rest.
var importance = []string{KindRollback, KindAnomaly, KindErrorGroup, KindAlgorithm, KindExperiment, KindRelease, KindFeature}

// recommend turns a report's insights into recommendations, most
// important first; within a kind, in the order of the insights (most
// severe or most frequent first).
func recommend(r *Report) []Recommendation {
	in := r.Insights
	var out []Recommendation
	for _, rel := range in.Releases {
		switch rel.Recommendation {
		case insights.Rollback:
			out = append(out, Recommendation{Kind: KindRollback, Title: "Roll back " + rel.Version,
				Text: fmt.Sprintf("%s is significantly worse than %s: %s.", rel.Version, orDash(rel.BaselineVersion), firstReason(rel.Reasons))})
		case insights.Promote:
			out = append(out, Recommendation{Kind: KindRelease, Title: "Promote " + rel.Version,
				Text: fmt.Sprintf("%s is no worse than the version before and runs on %s of the installations.", rel.Version, dashboard.FormatRate(&rel.Adoption))})
		}
	}
	out = append(out, anomalyAdvice(in.Anomalies)...)
	for _, g := range in.ErrorGroups {
		out = append(out, Recommendation{Kind: KindErrorGroup, Title: fmt.Sprintf("Fix the %s error group %s", g.Status, g.ErrorType),
			Text: fmt.Sprintf("%s reports from %s installations this week (%s the week before): %s", dashboard.FormatCount(g.Count),
				dashboard.FormatCount(int64(g.InstallationsAffected)), dashboard.FormatCount(g.PreviousCount), g.Message)})
	}
	for _, a := range in.AlgorithmsNeedingWork[:min(maxAdvicePerKind, len(in.AlgorithmsNeedingWork))] {
		out = append(out, Recommendation{Kind: KindAlgorithm, Title: fmt.Sprintf("%s %s", capital(a.Action), a.Algorithm), Text: a.Reason})
	}
	for _, e := range in.Experiments {
		out = append(out, Recommendation{Kind: KindExperiment, Title: "Conclude the experiment " + e.Name,
			Text: fmt.Sprintf("It reached a decision on %s: %s.", e.Metric, e.Decision)})
	}
	if len(in.TopFeatures) > 0 {
		f := in.TopFeatures[0]
		out = append(out, Recommendation{Kind: KindFeature, Title: "Prioritize " + f.Feature,
			Text: fmt.Sprintf("It has the highest priority score this week (%s of 100).", dashboard.FormatDecimal(f.Score))})
	}
	slices.SortStableFunc(out, func(a, b Recommendation) int {
		return slices.Index(importance, a.Kind) - slices.Index(importance, b.Kind)
	})
	return out[:min(maxRecommendations, len(out))]
}

// A digest too long is not read: the list keeps the most important.
const (
	maxRecommendations = 10
	maxAdvicePerKind   = 3
)

// anomalyAdvice is one recommendation per metric and scope with a
// high-severity anomaly in the week, in the anomalies' order (newest
// first); medium ones stay in the insights.
func anomalyAdvice(as []insights.Anomaly) []Recommendation {
	type seriesKey struct{ metric, scope string }
	days := map[seriesKey][]string{}
	var order []seriesKey
	for _, a := range as {
		if a.Severity != insights.SeverityHigh {
			continue
		}
		k := seriesKey{a.Metric, a.Scope}
		if days[k] == nil {
			order = append(order, k)
		}
		days[k] = append(days[k], a.Day)
	}
	var out []Recommendation
	for _, k := range order[:min(maxAdvicePerKind, len(order))] {
		d := days[k]
		slices.Sort(d)
		out = append(out, Recommendation{Kind: KindAnomaly, Title: fmt.Sprintf("Look into %s of %s", k.metric, k.scope),
			Text: fmt.Sprintf("Far outside its expected range on %d day%s: %s.", len(d), plural(len(d)), strings.Join(d, ", "))})
	}
	return out
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func num(f float64) string { return dashboard.FormatDecimal(f) }

func orDash(s string) string {
	if s == "" {
		return "the version before"
	}
	return s
}

func firstReason(rs []string) string {
	if len(rs) == 0 {
		return "see its release health"
	}
	return rs[0]
}

func capital(s string) string {
	if s == "" {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}
