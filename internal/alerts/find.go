package alerts

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/insights"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

// What is looked at: versions reported in the last releaseDays days, the
// anomalies of the last anomalyDays whole days (so that a service that
// was down a day still tells, but a first start does not recount
// history).
const (
	releaseDays = 7
	anomalyDays = 2
)

// Find returns the alerts that hold at now: rollbacks first, then
// anomalies, then new error groups.
func (e *Evaluator) Find(ctx context.Context, now time.Time) ([]Alert, error) {
	suppress := e.Suppress
	if suppress <= 0 {
		suppress = DefaultSuppress
	}
	var out []Alert
	rs, err := e.Health.Releases(ctx, now, releaseDays)
	if err != nil {
		return nil, err
	}
	for _, r := range rs.Releases {
		if r.Recommendation == insights.Rollback {
			out = append(out, rollbackAlert(r, suppress))
		}
	}
	as, err := e.Health.Anomalies(ctx, now, anomalyDays)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, a := range as.Anomalies { // newest day first: one alert per series and side
		al := anomalyAlert(a, suppress)
		if a.Severity == insights.SeverityHigh && !seen[al.Key] {
			seen[al.Key] = true
			out = append(out, al)
		}
	}
	groups, err := e.Health.NewErrorGroups(ctx, now)
	if err != nil {
		return nil, err
	}
	for _, g := range groups {
		out = append(out, newGroupAlert(g))
	}
	return out, nil
}

func rollbackAlert(r insights.Release, suppress time.Duration) Alert {
	return Alert{Key: "rollback:" + r.Version, Kind: KindRollback, Suppress: suppress, Detail: r,
		Title: fmt.Sprintf("Rollback recommended: %s", r.Version),
		Text: fmt.Sprintf("%s (%s, on %.0f %% of installations): %s.", r.Version, r.Stage, 100*r.Adoption,
			strings.Join(r.Reasons, "; "))}
}

func anomalyAlert(a insights.Anomaly, suppress time.Duration) Alert {
	side := "up"
	if a.Z < 0 {
		side = "down"
	}
	detail := a
	detail.Series = nil // the day's figures suffice in a message
	return Alert{Key: "anomaly:" + a.Metric + ":" + a.Scope + ":" + side, Kind: KindAnomaly, Suppress: suppress, Detail: detail,
		Title: fmt.Sprintf("Anomaly: %s of %s %s on %s", a.Metric, a.Scope, side, a.Day),
		Text: fmt.Sprintf("%s of %s was %s on %s, expected %s (band %s to %s; %s, %.1f standard deviations).",
			a.Metric, a.Scope, insights.FormatValue(a.Metric, a.Value), a.Day, insights.FormatValue(a.Metric, a.Expected),
			insights.FormatValue(a.Metric, a.Lower), insights.FormatValue(a.Metric, a.Upper), a.Rule, a.Z)}
}

func newGroupAlert(g insights.NewGroup) Alert {
	return Alert{Key: "error-group:" + g.Fingerprint, Kind: KindNewGroup, Suppress: store.Forever, Detail: g,
		Title: fmt.Sprintf("New error: %s", g.ErrorType),
		Text: fmt.Sprintf("%s %q, first seen %s, reported by %d installations in a day (%d reports; versions %s); group %s.",
			g.ErrorType, g.Message, g.FirstSeen.UTC().Format("2006-01-02 15:04 UTC"), g.Installations, g.Reports,
			strings.Join(g.Versions, ", "), g.Fingerprint)}
}
