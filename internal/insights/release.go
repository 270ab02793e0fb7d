package insights

import (
	"github.com/RoaringBitmap/roaring/v2"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
)

// Release stages (Sentry's): a version is adopted once it runs on at least
// AdoptedShare of the active installations of a day, and replaced when it
// falls back under that share afterwards.
const (
	StageNew      = "new"
	StageAdopted  = "adopted"
	StageReplaced = "replaced"
)

// Recommendations.
const (
	Rollback = "rollback" // significantly worse than its predecessor, beyond the margin
	Promote  = "promote"  // no worse, adoption still low
	Continue = "continue" // better or no worse, adopted
	Monitor  = "monitor"  // not enough data to tell
)

// ReleaseParams are release health's parameters; DefaultReleaseParams are
// the documented ones (docs/insights.md).
type ReleaseParams struct {
	// AdoptedShare is the share of a day's active installations from which
	// a version is adopted.
	AdoptedShare float64
	// WindowDays bounds the days compared: a version n days old is
	// compared over its days 1 to n (at most WindowDays) with the same
	// days of age of its predecessor.
	WindowDays int
	// MinInstallations is the fewest installations a version must have in
	// its compared days before it can be recommended for rollback.
	MinInstallations int
	// ErrorMargin: an error rate is worse only when it is at least
	// (1+ErrorMargin) times the predecessor's and ErrorMarginAbs above it
	// (besides the evidence); it is "no worse" when its upper bound stays
	// under (1+ErrorMargin) times.
	ErrorMargin, ErrorMarginAbs float64
	// ImprovementMargin is the practical margin on the average
	// performance improvement, in percentage points.
	ImprovementMargin float64
	// Alpha bounds the chance that a version no worse than its
	// predecessor is ever called worse, over all evaluations of its
	// life: "worse" is a normal-mixture sequential test
	// (stats.AlwaysValidP), valid however often release health is
	// evaluated. ErrorTau (on the log of the error-rate ratio) and
	// ImprovementTau (in points) are its mixture scales: the test is
	// quickest for effects of about that size.
	Alpha, ErrorTau, ImprovementTau float64
	// NoWorseLevel is the one-sided confidence of "no worse".
	NoWorseLevel float64
	// Level is the two-sided confidence level of the intervals reported.
	Level float64
}

// DefaultReleaseParams returns the documented parameters.
func DefaultReleaseParams() ReleaseParams {
	return ReleaseParams{AdoptedShare: 0.10, WindowDays: 28, MinInstallations: 30,
		ErrorMargin: 0.25, ErrorMarginAbs: 0.01, ImprovementMargin: 2, Alpha: 0.2, ErrorTau: 1, ImprovementTau: 5, NoWorseLevel: 0.95, Level: 0.95}
}

// VersionDay is what the rollups hold about one version on one UTC day.
// Bitmaps are read only for the days a comparison needs.
type VersionDay struct {
	Day      rollup.Day
	Counters rollup.Counters
	// Installs counts the installations that reported it (the rollup
	// row's InstallsN), known without the bitmap.
	Installs int64
	// PerfSumSq is the sum of the squares of the performance improvements
	// (percent) of its reports.
	PerfSumSq float64
	// Reported are the installations that reported the version that day;
	// Errored those of them with a report of it that carried an error.
	Reported, Errored *roaring.Bitmap
	// ErrorTypes counts the errors of each type in its reports.
	ErrorTypes map[string]int64
}

// ReleaseHistory is what release health reads: the fleet's active
// installations and every version's days, from the first day the store
// holds (Start) to Last (today).
type ReleaseHistory struct {
	Start, Last rollup.Day
	Active      map[rollup.Day]int64
	Versions    map[string]map[rollup.Day]*VersionDay
	// Installations and Reports count each version's distinct
	// installations and reports over the period asked for.
	Installations map[string]uint64
	Reports       map[string]int64
}

// Release is one version's health.
type Release struct {
	Version       string  `json:"version"`
	Stage         string  `json:"stage"`
	Adoption      float64 `json:"adoption"` // share of the active installations of the last day
	FirstSeen     string  `json:"first_seen"`
	Installations uint64  `json:"installations"` // over the period asked for
	Reports       int64   `json:"reports"`

	// The figures below are over the compared days (CompareFrom..CompareTo).
	CompareFrom            string             `json:"compare_from"`
	CompareTo              string             `json:"compare_to"`
	ComparedInstallations  int                `json:"compared_installations"`
	ErrorRate              *float64           `json:"error_rate"` // reports with an error / reports
	ErrorFreeInstallations *float64           `json:"error_free_installations"`
	ErrorsPerReport        map[string]float64 `json:"errors_per_report"` // by error type
	AvgImprovementPct      *float64           `json:"avg_improvement_pct"`
	LatencyMS              *Latency           `json:"latency_ms"`

	Baseline *Baseline `json:"baseline"`
	// Flattened from Baseline, as the API's first clients read them.
	BaselineVersion           string   `json:"baseline_version,omitempty"`
	BaselineErrorRate         *float64 `json:"baseline_error_rate"`
	ErrorRateRatio            *float64 `json:"error_rate_ratio"`
	PValue                    *float64 `json:"p_value"`
	BaselineAvgImprovementPct *float64 `json:"baseline_avg_improvement_pct"`

	Recommendation string   `json:"recommendation"`
	Reasons        []string `json:"reasons"`
	// ByAge is the error rate on each day of age (1 is the first day
	// seen), for versions released within the stored history.
	ByAge []AgePoint `json:"by_age"`
}

// Latency are the average latency percentiles of a version's reports.
type Latency struct {
	P50 float64 `json:"p50"`
	P95 float64 `json:"p95"`
	P99 float64 `json:"p99"`
}

// Baseline is the comparison of a version with its predecessor.
type Baseline struct {
	Version string `json:"version"`
	// Alignment is "age" (days 1..n after each release) or "calendar" (the
	// same days, when the predecessor came out before the stored history).
	Alignment         string    `json:"alignment"`
	From              string    `json:"from"`
	To                string    `json:"to"`
	Installations     int       `json:"installations"`
	ErrorRate         *float64  `json:"error_rate"`
	ErrorRateRatio    *float64  `json:"error_rate_ratio"`
	ErrorRateRatioCI  []float64 `json:"error_rate_ratio_ci"` // at Level
	ErrorRatePValue   *float64  `json:"error_rate_p_value"`  // two-sided, "the same rate"
	AvgImprovementPct *float64  `json:"avg_improvement_pct"`
	ImprovementDiff   *float64  `json:"improvement_diff"` // version − baseline, percentage points
	ImprovementDiffCI []float64 `json:"improvement_diff_ci"`
	ImprovementPValue *float64  `json:"improvement_p_value"` // two-sided Welch
	LatencyMS         *Latency  `json:"latency_ms"`
}

// AgePoint is a version's error rate on one day of age.
type AgePoint struct {
	Age       int     `json:"age"`
	Day       string  `json:"day"`
	Reports   int64   `json:"reports"`
	ErrorRate float64 `json:"error_rate"`
}
