package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/fleet"
	"github.com/indexpilot/indexpilot-telemetry/internal/testkit"
)

const adminToken = "e2e-admin-token-0123456789abcdef"

// service is a running `indexpilot-analytics serve`.
type service struct {
	t     *testing.T
	url   string
	fleet string // a fleet key, to send reports for any installation
	log   *testkit.Buffer
	bin   string // the built indexpilot-analytics
	dsn   string // its store
}

// startService builds the binary, creates a fleet key in a fresh SQLite
// store, starts serve on a free port (with the extra serve flags given)
// and stops it with SIGTERM at the end.
func startService(t *testing.T, flags ...string) *service {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "indexpilot-analytics")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/indexpilot/indexpilot-telemetry/cmd/indexpilot-analytics").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	dsn := "sqlite:" + filepath.Join(dir, "e2e.db")
	key, err := exec.Command(bin, "keys", "create", "--kind", "fleet", "--database", dsn).Output()
	if err != nil {
		t.Fatalf("keys create: %v", err)
	}
	cmd := exec.Command(bin, append([]string{"serve", "--listen", "127.0.0.1:0", "--database", dsn}, flags...)...)
	cmd.Env = append(os.Environ(), "INDEXPILOT_ANALYTICS_ADMIN_TOKEN="+adminToken)
	s := &service{t: t, fleet: strings.TrimSpace(string(key)), log: &testkit.Buffer{}, bin: bin, dsn: dsn}
	s.url = testkit.StartServe(t, cmd, s.log, 30*time.Second)
	t.Cleanup(func() {
		if err := testkit.Stop(cmd); err != nil {
			t.Errorf("serve did not exit cleanly: %v\n%s", err, s.log)
		}
	})
	return s
}

// loadFleet sends a small simulated fleet's reports through the API.
func (s *service) loadFleet(ctx context.Context) {
	s.t.Helper()
	sum, err := fleet.Run(ctx, fleet.Config{Target: s.url, Key: s.fleet, Installations: 24, Days: 21, Seed: 6,
		Concurrency: 4, Now: time.Now()})
	if err != nil {
		s.t.Fatalf("fleet: %v (%+v)", err, sum)
	}
}

// sendReport posts one report of a new installation, dated now.
func (s *service) sendReport(installation, version string) {
	s.t.Helper()
	body := fmt.Sprintf(`{"installation_id": %q, "version": %q, "timestamp": %q,
	 "metrics": {"features_used": ["auto_indexing"], "indexes_created": 3, "performance_improvement_pct": 12.5,
	             "algorithm_usage": {"cert": 2}},
	 "environment": {"postgresql_version": "16.2", "os": "linux"}}`, installation, version, time.Now().UTC().Format(time.RFC3339))
	req, _ := http.NewRequest("POST", s.url+"/api/v1/telemetry", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-API-Key", s.fleet)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(res.Body)
		s.t.Fatalf("telemetry: %d %s", res.StatusCode, b)
	}
}

// overview is the part of the overview JSON the test compares.
type overview struct {
	Figures  map[string]*float64 `json:"figures"`
	Previous map[string]*float64 `json:"previous"`
	To       string              `json:"to"`
	Today    string              `json:"today"`
	Versions []string            `json:"versions"`
}

// api reads the overview with the admin token, as scripts do.
func (s *service) api(query string) overview {
	s.t.Helper()
	var ov overview
	s.getJSON("/api/v1/dashboard/overview?"+query, &ov)
	return ov
}

// getJSON asks path with the admin token and decodes its answer, which
// must be 200 and JSON, into into.
func (s *service) getJSON(path string, into any) {
	s.t.Helper()
	req, _ := http.NewRequest("GET", s.url+path, nil)
	req.Header.Set("Authorization", "Bearer "+adminToken)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	if err := json.NewDecoder(res.Body).Decode(into); res.StatusCode != http.StatusOK || err != nil {
		s.t.Fatalf("GET %s: %d %v", path, res.StatusCode, err)
	}
}
