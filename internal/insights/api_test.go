package insights_test

import (
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/auth"
	"github.com/indexpilot/indexpilot-telemetry/internal/database/databasetest"
	"github.com/indexpilot/indexpilot-telemetry/internal/fleet"
	batcher "github.com/indexpilot/indexpilot-telemetry/internal/ingest"
	"github.com/indexpilot/indexpilot-telemetry/internal/insights"
	"github.com/indexpilot/indexpilot-telemetry/internal/pgtest"
	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
	"github.com/indexpilot/indexpilot-telemetry/internal/server"
	"github.com/indexpilot/indexpilot-telemetry/internal/server/servertest"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

const adminToken = "insights-admin-token-0123456789"

// apiNow is the clock of the service and of the fleet: the fleet's last
// day is its day.
var apiNow = time.Date(2026, 11, 20, 18, 0, 0, 0, time.UTC)

// The simulated fleet of the API tests: apiDays days, a spike of
// UniqueViolation errors (×6) on days 40 and 41, quieter weekends, and a
// bad release, 1.2.0, on day apiRelease: four times 1.1.1's error rate, a
// lower improvement, taken by most installations within days.
const (
	apiDays    = 63
	apiRelease = 56 // 0.9 of apiDays
)

func apiFleet(target, key string) fleet.Config {
	return fleet.Config{Target: target, Key: key, Installations: 120, Days: apiDays, Seed: 5, Concurrency: 8, Now: apiNow,
		Scenario: fleet.Scenario{
			Releases:        []fleet.Release{{Version: "1.2.0", At: 0.9, ErrorMultiplier: 2, Improvement: 15, MedianLagDays: 1.5, LagSpread: 0.7, Share: 0.8}},
			Spikes:          []fleet.ErrorSpike{{Type: "UniqueViolation", Day: 40, Days: 2, Multiplier: 6}},
			WeekendActivity: 0.7,
		}}
}

// startAPI starts the service's HTTP server on st with the test clock and
// fills it with the fleet through the API.
func startAPI(t *testing.T, st store.Store) string {
	t.Helper()
	srv := servertest.New(t, st, servertest.Options{Config: func(c *server.Config) { c.AdminToken = adminToken },
		Ingest: batcher.Config{MaxBatch: 500}, Now: func() time.Time { return apiNow }})
	url := servertest.Serve(t, srv.Handler())
	text, sec, err := auth.New(auth.PrefixFleet)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.CreateKey(context.Background(), store.Key{ID: sec.ID, Kind: store.KindFleet, Name: "t", Hash: sec.Hash(), Created: apiNow}); err != nil {
		t.Fatal(err)
	}
	if sum, err := fleet.Run(context.Background(), apiFleet(url, text)); err != nil {
		t.Fatalf("fleet: %v (%+v)", err, sum)
	}
	return url
}

// stores opens each backend's store for a test: SQLite, and PostgreSQL
// (required in CI).
func stores(t *testing.T) map[string]func(t *testing.T) store.Store {
	return map[string]func(t *testing.T) store.Store{
		"sqlite": func(t *testing.T) store.Store {
			return databasetest.Open(t, "sqlite:"+filepath.Join(t.TempDir(), "a.db"))
		},
		"postgres": func(t *testing.T) store.Store { return databasetest.Open(t, pgtest.New(t)) },
	}
}

func get(t *testing.T, url string, into any) int {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if into != nil {
		req.Header.Set("Authorization", "Bearer "+adminToken)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if into != nil && res.StatusCode == http.StatusOK {
		if err := json.NewDecoder(res.Body).Decode(into); err != nil {
			t.Fatalf("GET %s: %v", url, err)
		}
	}
	return res.StatusCode
}

// TestInsightsThroughTheAPI drives the simulated fleet through the real
// HTTP API into each store and checks what the insights endpoints answer:
// the bad release is recommended for rollback, the spike and the release's
// errors are anomalies, the weekly rhythm is not.
func TestInsightsThroughTheAPI(t *testing.T) {
	for name, open := range stores(t) {
		t.Run(name, func(t *testing.T) {
			base := startAPI(t, open(t))
			checkReleases(t, base)
			checkAnomalies(t, base)
			if code := get(t, base+"/api/v1/insights/releases", nil); code != http.StatusUnauthorized {
				t.Errorf("releases without a token: %d, want 401", code)
			}
			var bad map[string]any
			req, _ := http.NewRequest("GET", base+"/api/v1/insights/anomalies?days=0", nil)
			req.Header.Set("Authorization", "Bearer "+adminToken)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			json.NewDecoder(res.Body).Decode(&bad)
			res.Body.Close()
			if res.StatusCode != http.StatusBadRequest || bad["field"] != "days" {
				t.Errorf("days=0: %d %v, want 400 naming the field days", res.StatusCode, bad)
			}
		})
	}
}

func checkReleases(t *testing.T, base string) {
	var rs insights.Releases
	if code := get(t, base+"/api/v1/insights/releases?days=30", &rs); code != http.StatusOK {
		t.Fatalf("releases: %d", code)
	}
	byVersion := map[string]insights.Release{}
	for _, r := range rs.Releases {
		byVersion[r.Version] = r
		t.Logf("%s %s %.2f %d → %s: %s", r.Version, r.Stage, r.Adoption, r.Installations, r.Recommendation, strings.Join(r.Reasons, " | "))
	}
	bad := byVersion["1.2.0"]
	if bad.Recommendation != insights.Rollback || bad.BaselineVersion != "1.1.1" || bad.ErrorRateRatio == nil || *bad.ErrorRateRatio < 1.5 ||
		bad.PValue == nil || *bad.PValue > 0.001 || bad.Baseline == nil || bad.Baseline.Alignment != "age" || len(bad.Reasons) < 2 {
		t.Errorf("1.2.0: %+v; want rollback against 1.1.1 by age, ratio ≥ 1.5, p ≤ 0.001, with reasons", bad)
	}
	if bad.ComparedInstallations < 30 || len(bad.ByAge) < 5 || bad.ErrorsPerReport["OperationalError"] <= 0 {
		t.Errorf("1.2.0: %d installations compared, %d days of age, errors per report %v", bad.ComparedInstallations, len(bad.ByAge), bad.ErrorsPerReport)
	}
	for _, v := range []string{"1.1.0", "1.1.1"} {
		if r := byVersion[v]; r.Recommendation == insights.Rollback || r.Version == "" {
			t.Errorf("%s: %q, want a release that is not recommended for rollback", v, r.Recommendation)
		}
	}
}

func checkAnomalies(t *testing.T, base string) {
	var as insights.Anomalies
	if code := get(t, base+"/api/v1/insights/anomalies?days=35", &as); code != http.StatusOK {
		t.Fatalf("anomalies: %d", code)
	}
	first := rollup.DayOf(apiNow) - apiDays + 1 // the fleet's day 0
	dayIndex := func(a insights.Anomaly) int {
		d, _ := time.Parse(time.DateOnly, a.Day)
		return int(rollup.DayOf(d) - first)
	}
	spike, release := false, false
	for _, a := range as.Anomalies {
		i := dayIndex(a)
		t.Logf("day %d %s %s: %.3f (expected %.3f, %.3f–%.3f) %s, %s", i, a.Metric, a.Scope, a.Value, a.Expected, a.Lower, a.Upper, a.Severity, a.Rule)
		switch {
		case a.Scope == "error:UniqueViolation" && (i == 40 || i == 41) && a.Z > 0 && a.Severity == insights.SeverityHigh:
			spike = true
			if a.Series == nil || len(a.Series.Days) < 20 || a.Series.Upper[len(a.Series.Days)-1] == nil {
				t.Errorf("the spike's anomaly comes without its series and band")
			}
		case i >= apiRelease && (a.Metric == insights.MetricErrorRate || a.Metric == insights.MetricErrorCount) && a.Z > 0:
			release = true
		case a.Metric == insights.MetricActive || a.Metric == insights.MetricReports:
			t.Errorf("the weekly rhythm or the fleet's growth raised %s on day %d", a.Metric, i)
		case i < apiRelease && a.Metric == insights.MetricErrorCount && a.Scope != "error:UniqueViolation" && a.Z > 0:
			// (Fewer errors are real: 1.1.0 and 1.1.1 err less than 1.0.x.)
			t.Errorf("an error type without a spike rose as an anomaly on day %d: %s", i, a.Scope)
		}
	}
	if !spike {
		t.Error("the UniqueViolation spike on days 40–41 was not found")
	}
	if !release {
		t.Error("the bad release's errors were not found")
	}
}
