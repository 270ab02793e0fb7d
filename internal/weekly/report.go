package weekly

import (
	"github.com/indexpilot/indexpilot-telemetry/internal/dashboard"
	"github.com/indexpilot/indexpilot-telemetry/internal/errorgroup"
	"github.com/indexpilot/indexpilot-telemetry/internal/insights"
)

// Report is one week's report, as the JSON format writes it. Its names
// are an interface others depend on (issue 14): week, start, end,
// summary with plain numbers, trends, insights, recommendations.
type Report struct {
	Week          string  `json:"week"`  // 2026-W48
	Start         string  `json:"start"` // its Monday, YYYY-MM-DD
	End           string  `json:"end"`   // its Sunday
	PreviousStart string  `json:"previous_start"`
	PreviousEnd   string  `json:"previous_end"`
	Summary       Summary `json:"summary"`
	// Changes are the summary's figures against the week before, by the
	// summary's names.
	Changes         map[string]Change `json:"changes"`
	Trends          Trends            `json:"trends"`
	Insights        Insights          `json:"insights"`
	Recommendations []Recommendation  `json:"recommendations"`
}

// Summary is the seed's summary of the week (dashboard.Figures).
type Summary struct {
	NewInstallations    uint64 `json:"new_installations"`   // first report (within the retention) this week
	TotalInstallations  uint64 `json:"total_installations"` // all time: within the retention, to the week's end
	ActiveInstallations uint64 `json:"active_installations"`
	Reports             int64  `json:"reports"`
	IndexesCreated      int64  `json:"indexes_created"`
	// AvgPerformanceImprovement is in %; null without a report.
	AvgPerformanceImprovement *float64 `json:"avg_performance_improvement"`
}

// Change is a figure against the week before.
type Change struct {
	Previous *float64 `json:"previous"` // null when undefined (an average of nothing)
	// Difference is the figure minus Previous; null when either is.
	Difference *float64 `json:"difference"`
	// Text writes it for people ("+12 (+10.0 %)", "−2.0 pp"), and Trend
	// says whether it moved the good way (dashboard.TrendGood…).
	Text  string `json:"text"`
	Trend string `json:"trend"`
}

// Trends are the week's series and shares.
type Trends struct {
	Days []string `json:"days"` // Monday to Sunday
	// ActiveInstallations counts each day's installations.
	ActiveInstallations []int64 `json:"active_installations"`
	// VersionsByDay counts each day's installations under the newest
	// version each ran, so the series stack to ActiveInstallations.
	VersionsByDay []dashboard.CountSeries `json:"versions_by_day,omitempty"`
	// VersionAdoption and FeatureAdoption are shares of the week's
	// active installations, beside the week before's.
	VersionAdoption []Share `json:"version_adoption,omitempty"`
	FeatureAdoption []Share `json:"feature_adoption,omitempty"`
}

// Share is one version's or feature's share of the active installations.
type Share struct {
	Name          string   `json:"name"`
	Installations uint64   `json:"installations"`
	Pct           float64  `json:"pct"`
	PreviousPct   *float64 `json:"previous_pct"` // null when it had none the week before
	Text          string   `json:"text"`         // the change in percentage points
	Trend         string   `json:"trend"`
}

// Insights are the week's findings; a kind without one is left out.
type Insights struct {
	TopFeatures           []insights.Priority `json:"top_features,omitempty"`
	AlgorithmsNeedingWork []insights.Advice   `json:"algorithms_needing_work,omitempty"`
	ErrorGroups           []ErrorGroup        `json:"error_groups,omitempty"`
	Releases              []insights.Release  `json:"releases,omitempty"`
	Anomalies             []insights.Anomaly  `json:"anomalies,omitempty"`
	Experiments           []Experiment        `json:"experiments,omitempty"`
}

// Error group statuses.
const (
	GroupNew     = "new"     // first seen this week
	GroupGrowing = "growing" // more reports than the week before
)

// ErrorGroup is an error group new or growing this week.
type ErrorGroup struct {
	errorgroup.Group
	Status        string `json:"status"`         // GroupNew or GroupGrowing
	PreviousCount int64  `json:"previous_count"` // its reports the week before
}

// Experiment is an experiment that reached a decision.
type Experiment struct {
	Name     string   `json:"name"`
	Metric   string   `json:"metric"`
	Status   string   `json:"status"`
	Decision string   `json:"decision"`
	Estimate *float64 `json:"estimate"` // the first treatment against the control
	Low      *float64 `json:"low"`
	High     *float64 `json:"high"`
}

// Recommendation is one thing to do, most important first.
type Recommendation struct {
	Kind  string `json:"kind"` // Kind* below
	Title string `json:"title"`
	Text  string `json:"text"`
}

// Kinds of recommendations, in their order of importance.
const (
	KindRollback   = "rollback"
	KindAnomaly    = "anomaly"
	KindErrorGroup = "error_group"
	KindAlgorithm  = "algorithm"
	KindExperiment = "experiment"
	KindRelease    = "release"
	KindFeature    = "feature"
)

// TopRecommended is how many recommendations the report puts at the top.
const TopRecommended = 3

// Top returns the recommendations that matter most.
func (r *Report) Top() []Recommendation {
	return r.Recommendations[:min(TopRecommended, len(r.Recommendations))]
}

// Empty reports whether the week had no report at all.
func (r *Report) Empty() bool { return r.Summary.Reports == 0 }
