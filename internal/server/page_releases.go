package server

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/indexpilot/indexpilot-telemetry/internal/dashboard"
	"github.com/indexpilot/indexpilot-telemetry/internal/insights"
)

// releasesPage is the Releases view: release health per version and the
// anomalies of the fleet's daily series. Tables are rendered here, so the
// page is complete without JavaScript; web/static/releases.js draws the
// charts from the same JSON the API serves.
func (s *Server) releasesPage(w http.ResponseWriter, r *http.Request) error {
	if ok, err := s.signedIn(w, r); !ok || err != nil {
		return err
	}
	status, problem := http.StatusOK, ""
	days, bad := releaseDays(r.URL.Query())
	if bad != nil {
		status, problem, days = http.StatusBadRequest, bad.Message, defaultReleaseDays
	}
	now := s.now()
	rs, err := s.releaseHealth.Releases(r.Context(), now, days)
	if err != nil {
		return unavailable(err)
	}
	as, err := s.releaseHealth.Anomalies(r.Context(), now, days)
	if err != nil {
		return unavailable(err)
	}
	v := newReleasesView(rs, as, days, problem)
	v.History, v.BandZ = s.releaseHealth.Anomaly.History, s.releaseHealth.Anomaly.BandZ
	v.Level = 100 * s.releaseHealth.Release.Level
	return render(w, status, "releases", v)
}

type releasesView struct {
	Days                       int
	Periods                    []option
	Error                      string
	From, To                   string
	AnomaliesFrom, AnomaliesTo string
	Releases                   []releaseRow
	Anomalies                  []anomalyRow
	// The methods' parameters the page states.
	History      int
	BandZ, Level float64
}

// releaseRow is one version, formatted.
type releaseRow struct {
	Version, Stage, Adoption, Installations, Compared    string
	ErrorRate, BaselineVersion, BaselineErrorRate, Ratio string
	Improvement, BaselineImprovement, ImprovementDiff    string
	Recommendation                                       string
	Reasons                                              []string
}

// anomalyRow is one anomaly, formatted; Index names its chart.
type anomalyRow struct {
	Index                                                     int
	Day, Metric, Scope, Value, Expected, Band, Severity, Rule string
}

func newReleasesView(rs *insights.Releases, as *insights.Anomalies, days int, problem string) *releasesView {
	v := &releasesView{Days: days, Error: problem, From: rs.From, To: rs.To,
		AnomaliesFrom: as.From, AnomaliesTo: as.To}
	for _, n := range []int{7, 30, 90} {
		v.Periods = append(v.Periods, option{Value: strconv.Itoa(n), Label: "Last " + strconv.Itoa(n) + " days", Selected: n == days})
	}
	if days != 7 && days != 30 && days != 90 {
		v.Periods = append(v.Periods, option{Value: strconv.Itoa(days), Label: "Last " + strconv.Itoa(days) + " days", Selected: true})
	}
	for _, r := range rs.Releases {
		v.Releases = append(v.Releases, newReleaseRow(r))
	}
	for i, a := range as.Anomalies {
		v.Anomalies = append(v.Anomalies, anomalyRow{Index: i, Day: a.Day, Metric: a.Metric, Scope: a.Scope,
			Value: insights.FormatValue(a.Metric, a.Value), Expected: insights.FormatValue(a.Metric, a.Expected),
			Band: insights.FormatValue(a.Metric, a.Lower) + " – " + insights.FormatValue(a.Metric, a.Upper), Severity: a.Severity, Rule: a.Rule})
	}
	return v
}

func newReleaseRow(r insights.Release) releaseRow {
	row := releaseRow{Version: r.Version, Stage: r.Stage, Adoption: dashboard.FormatRate(&r.Adoption),
		Installations: dashboard.FormatCount(int64(r.Installations)), Compared: r.CompareFrom + " to " + r.CompareTo,
		ErrorRate: dashboard.FormatRate(r.ErrorRate), Improvement: dashboard.FormatPct(r.AvgImprovementPct), Recommendation: r.Recommendation,
		Reasons: r.Reasons, BaselineVersion: dashboard.Missing, BaselineErrorRate: dashboard.Missing, Ratio: dashboard.Missing,
		BaselineImprovement: dashboard.Missing, ImprovementDiff: dashboard.Missing}
	if b := r.Baseline; b != nil {
		row.BaselineVersion = b.Version + " (" + b.Alignment + ")"
		row.BaselineErrorRate, row.BaselineImprovement = dashboard.FormatRate(b.ErrorRate), dashboard.FormatPct(b.AvgImprovementPct)
		if b.ErrorRateRatio != nil && len(b.ErrorRateRatioCI) == 2 {
			row.Ratio = fmt.Sprintf("×%s (×%s–×%s)", dashboard.FormatDecimal(*b.ErrorRateRatio), dashboard.FormatDecimal(b.ErrorRateRatioCI[0]),
				dashboard.FormatDecimal(b.ErrorRateRatioCI[1]))
		}
		if b.ImprovementDiff != nil && len(b.ImprovementDiffCI) == 2 {
			row.ImprovementDiff = fmt.Sprintf("%s pp (%s to %s)", dashboard.FormatSigned(*b.ImprovementDiff), dashboard.FormatSigned(b.ImprovementDiffCI[0]),
				dashboard.FormatSigned(b.ImprovementDiffCI[1]))
		}
	}
	return row
}
