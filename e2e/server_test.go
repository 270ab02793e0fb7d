package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/fleet"
)

const adminToken = "e2e-admin-token-0123456789abcdef"

// service is a running `indexpilot-analytics serve`.
type service struct {
	t     *testing.T
	url   string
	fleet string // a fleet key, to send reports for any installation
	log   *lockedBuffer
	bin   string // the built indexpilot-analytics
	dsn   string // its store
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) add(line string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.b.WriteString(line + "\n")
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
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
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &service{t: t, fleet: strings.TrimSpace(string(key)), log: &lockedBuffer{}, bin: bin, dsn: dsn}
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			s.log.add(sc.Text())
			if i := strings.Index(sc.Text(), "url=http://"); i >= 0 {
				select {
				case urls <- strings.Fields(sc.Text()[i+4:])[0]:
				default:
				}
			}
		}
	}()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		if err := cmd.Wait(); err != nil {
			t.Errorf("serve did not exit cleanly: %v\n%s", err, s.log)
		}
	})
	select {
	case s.url = <-urls:
	case <-time.After(30 * time.Second):
		t.Fatalf("serve did not report its address:\n%s", s.log)
	}
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
