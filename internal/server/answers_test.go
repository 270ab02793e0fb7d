package server_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/fleet"
	"github.com/indexpilot/indexpilot-telemetry/internal/fleet/fleettest"
)

var updateAnswers = flag.Bool("update-answers", false, "record the demo fleet's API answers in testdata/demo_answers.json")

// answered are the API answers the demo fleet's store must give, each as
// the digest of its body: the JSON Schema, the dashboard's three reads
// over several windows and filters, the error groups, the insights (issue
// 12, recorded before they read the dashboard model) and one
// installation's export.
var answered = []string{
	"/api/v1/schema",
	"/api/v1/dashboard/stats",
	"/api/v1/dashboard/trends?days=30",
	"/api/v1/dashboard/trends?days=90",
	"/api/v1/dashboard/overview?days=7",
	"/api/v1/dashboard/overview?days=30",
	"/api/v1/dashboard/overview?days=90",
	"/api/v1/dashboard/overview?days=30&version=1.1.0",
	"/api/v1/dashboard/overview?from=2026-10-01&to=2026-10-20",
	"/api/v1/errors/groups?days=30",
	"/api/v1/insights/features?days=30",
	"/api/v1/insights/features?days=7",
	"/api/v1/insights/algorithms?days=30",
	"/api/v1/insights/algorithms?days=90",
	"/api/v1/insights/patterns?days=30",
	"/api/v1/insights/patterns?days=90&min_support=0.01&min_size=1",
	"/api/v1/insights/forecasts?paths=true",
	"/api/v1/insights/forecasts?as_of=2026-10-21&horizon=30&paths=true",
}

// TestDemoFleetAnswers stores the demo's fleet (300 installations, 90
// days, seed 1, as `demo` sends it) at a pinned clock and checks that
// every answer above, asked of the real server, is byte for byte the one
// recorded in testdata (recorded with -update-answers on the code before
// the field table and the dashboard model were introduced, and again when
// metrics.feature_usage added the stats' and the overview's
// feature_success and the fleet's usage counts): refactoring must not
// change what users get. The reports are stored as the server's
// handler stores them (the fleet's bytes, Decode, Ingest), not over HTTP:
// 17,000 requests took minutes under the race detector.
func TestDemoFleetAnswers(t *testing.T) {
	if testing.Short() {
		t.Skip("sends 17,000 reports")
	}
	now := time.Date(2026, 11, 20, 15, 4, 5, 0, time.UTC)
	ctx := context.Background()
	e := newEnvAt(t, nil, func() time.Time { return now })
	st := e.store
	fc := fleet.Config{Installations: 300, Days: 90, Seed: 1, RetryRate: 0.03, Now: now}
	if err := fleettest.Store(ctx, st, fleet.Generate(fc), now); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Compact(ctx); err != nil {
		t.Fatal(err)
	}

	got := map[string]string{}
	for _, path := range answered {
		got[path] = digestOf(t, e.url+path)
	}
	first := fleet.Generate(fc)[0].Report.InstallationID
	export, err := st.ExportInstallation(ctx, first)
	if err != nil {
		t.Fatal(err)
	}
	export.Registered = time.Time{} // the store's own clock, when the fleet's first report arrived
	exported, _ := json.Marshal(export)
	got["the export of the first installation"] = hexDigest(exported)
	file := filepath.Join("testdata", "demo_answers.json")
	if *updateAnswers {
		raw, _ := json.MarshalIndent(got, "", "  ")
		if err := os.WriteFile(file, append(raw, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var want map[string]string
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: the answer changed (digest %s, recorded %s)", k, got[k], w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d answers, %d recorded", len(got), len(want))
	}
}

func digestOf(t *testing.T, url string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Authorization", "Bearer "+adminToken)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %v\n%s", url, res.StatusCode, err, body)
	}
	return hexDigest(body)
}

func hexDigest(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]) + " (" + strconv.Itoa(len(b)) + " bytes)"
}
