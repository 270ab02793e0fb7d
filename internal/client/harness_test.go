package client

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/collect"
	"github.com/indexpilot/indexpilot-telemetry/internal/server"
	"github.com/indexpilot/indexpilot-telemetry/internal/server/servertest"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
	"github.com/indexpilot/indexpilot-telemetry/internal/store/sqlite/sqlitetest"
	"github.com/indexpilot/indexpilot-telemetry/report"
)

// testServer is the real analytics service (HTTP layer, batcher, SQLite
// store) on loopback, behind a tap that records the report bodies it
// receives, counts connections, and can answer in the server's place to
// simulate failures.
type testServer struct {
	t     *testing.T
	url   string
	store store.Store
	conns atomic.Int64

	mu        sync.Mutex
	bodies    [][]byte // POST /api/v1/telemetry bodies, as received
	errBodies [][]byte // POST /api/v1/errors bodies, as received
	// fault, when set, is asked about the nth report request (from 1; error
	// reports counted apart from telemetry reports): a
	// non-zero status is answered instead of the server's, after letting
	// the server handle the request when forward is set (a lost answer).
	fault func(n int) (status int, forward bool)
}

// startServer starts the service on addr ("127.0.0.1:0" for any port).
func startServer(t *testing.T, addr string) *testServer {
	t.Helper()
	st, _ := sqlitetest.Open(t)
	srv := servertest.New(t, st, servertest.Options{Config: func(cfg *server.Config) {
		cfg.RegisterPerMinute, cfg.RegisterBurst = 6000, 1000 // every test registers from 127.0.0.1
	}})
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	ts := &testServer{t: t, url: "http://" + ln.Addr().String(), store: st}
	hs := &http.Server{Handler: ts.tap(srv.Handler()), ReadHeaderTimeout: 5 * time.Second}
	go hs.Serve(&countingListener{Listener: ln, n: &ts.conns})
	t.Cleanup(func() { hs.Close() })
	return ts
}

func (ts *testServer) tap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || (r.URL.Path != routeTelemetry && r.URL.Path != routeErrors) {
			h.ServeHTTP(w, r)
			return
		}
		body, _ := io.ReadAll(r.Body)
		ts.mu.Lock()
		list := &ts.bodies
		if r.URL.Path == routeErrors {
			list = &ts.errBodies
		}
		*list = append(*list, body)
		n, fault := len(*list), ts.fault
		ts.mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(body))
		if fault != nil {
			if status, forward := fault(n); status != 0 {
				if forward {
					h.ServeHTTP(httptest.NewRecorder(), r)
				}
				w.Header().Set("Retry-After", "1")
				w.WriteHeader(status)
				return
			}
		}
		h.ServeHTTP(w, r)
	})
}

func (ts *testServer) received() [][]byte {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return append([][]byte(nil), ts.bodies...)
}

func (ts *testServer) receivedErrors() [][]byte {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return append([][]byte(nil), ts.errBodies...)
}

func (ts *testServer) setFault(f func(n int) (int, bool)) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.fault = f
}

// stored returns the report_ids the store holds for an installation.
func (ts *testServer) stored(id string) []string {
	ts.t.Helper()
	exp, err := ts.store.ExportInstallation(context.Background(), id)
	if err != nil {
		ts.t.Fatalf("export of %s from the store: %v", id, err)
	}
	var ids []string
	for _, r := range exp.Reports {
		ids = append(ids, r.Key) // the report_id, lowercased
	}
	return ids
}

type countingListener struct {
	net.Listener
	n *atomic.Int64
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.n.Add(1)
	}
	return c, err
}

// testEnv is one installation's environment: its variables, its state and
// config folders, and what the client wrote to stderr.
type testEnv struct {
	t      *testing.T
	vars   map[string]string
	dir    string
	stderr *bytes.Buffer
	now    time.Time
}

func newEnv(t *testing.T, endpoint string) *testEnv {
	t.Helper()
	dir := t.TempDir()
	e := &testEnv{t: t, dir: dir, stderr: &bytes.Buffer{}, now: time.Now().UTC().Truncate(time.Second),
		vars: map[string]string{
			"XDG_STATE_HOME":                filepath.Join(dir, "state"),
			"INDEXPILOT_CONFIG_FILE":        filepath.Join(dir, "indexpilot_config.yaml"),
			"INDEXPILOT_TELEMETRY_ENDPOINT": endpoint,
		}}
	return e
}

func (e *testEnv) stateDir() string { return filepath.Join(e.dir, "state", "indexpilot", "telemetry") }

func (e *testEnv) writeConfig(yaml string) {
	e.t.Helper()
	if err := os.WriteFile(e.vars["INDEXPILOT_CONFIG_FILE"], []byte(yaml), 0o600); err != nil {
		e.t.Fatal(err)
	}
}

// client returns a client of the installation with the fake collector,
// a clock the test moves, and short backoffs.
func (e *testEnv) client() *Client {
	c := New(Options{Getenv: func(k string) string { return e.vars[k] }, Stderr: e.stderr,
		Timeout: 2 * time.Second, Now: func() time.Time { return e.now }})
	c.collect = fakeCollect
	c.policy = policy{attempts: 4, first: 10 * time.Millisecond, most: 50 * time.Millisecond, maxRetryAfter: 5 * time.Second}
	c.runSpread = 0
	return c
}

// lostAnswer is a fault: a 503, then a 503 after the server stored the
// report (an answer lost on the way back), then the real answers.
func lostAnswer(n int) (int, bool) {
	switch n {
	case 1:
		return 503, false
	case 2:
		return 503, true
	}
	return 0, false
}

// clientOn returns the client with telemetry turned on, as the user's
// `telemetry on` does.
func (e *testEnv) clientOn() *Client {
	e.t.Helper()
	c := e.client()
	if _, err := c.SetMode(ctx, On, false); err != nil {
		e.t.Fatal(err)
	}
	return c
}

// closedAddr is a loopback address nothing listens on, until the test
// starts a server there.
func closedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// tick moves the clock on, so that reports built one after the other
// have distinct timestamps.
func (e *testEnv) tick() { e.now = e.now.Add(time.Minute) }

func (e *testEnv) installationID() string {
	e.t.Helper()
	st, err := folder{e.stateDir()}.load()
	if err != nil || st.InstallationID == "" {
		e.t.Fatalf("no installation id (%v)", err)
	}
	return st.InstallationID
}

// fakeCollect stands in for IndexPilot's database: every field of the
// contract, schema versions 1 and 2, deterministic.
func fakeCollect(ctx context.Context, o collect.Options) (*collect.Result, error) {
	return &collect.Result{
		Version: "1.2.0",
		Metrics: report.Metrics{
			FeaturesUsed:              []string{"auto_indexing", "pattern_detection"},
			IndexesCreated:            3,
			IndexesRecommended:        1,
			QueriesAnalyzed:           12345,
			PerformanceImprovementPct: report.Float(12.5),
			AlgorithmUsage:            map[string]int64{"cert": 4, "qpg": 2},
			Errors:                    map[string]int64{"psycopg2.OperationalError": 1},
			QueryLatencyMS:            &report.Latency{P50: 1.5, P95: 9, P99: 20},
			AlgorithmDecisions:        map[string]int64{"cert": 2},
			ABExperiments: []report.ABExperiment{
				{Experiment: collect.Anonymize(o.Salt, "exp"), Variant: "control", N: 10, MeanMS: 4, VarianceMS: 1},
			},
			TenantsBucket: ">1000",
		},
		Environment: report.Environment{PythonVersion: "3.11.0", PostgreSQLVersion: "15.4", OS: "linux", Arch: "x86_64", CPUCores: 8},
		Cursor:      collect.Cursor{Until: o.Now(), QueryStatsID: 42},
	}, nil
}

// noDialing is an HTTP client that fails the test if it is ever asked to
// open a connection.
func noDialing(t *testing.T) *http.Client {
	return &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			t.Errorf("the client dialled %s %s", network, addr)
			return nil, errors.New("dialling is forbidden in this test")
		},
	}}
}

// tree returns every file under dir with its content, for before/after
// comparisons; a missing dir is an empty tree.
func tree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		info, _ := d.Info()
		out[strings.TrimPrefix(path, dir)] = info.ModTime().String()
		if !d.IsDir() {
			data, _ := os.ReadFile(path)
			out[strings.TrimPrefix(path, dir)] += "\n" + string(data)
		}
		return nil
	})
	return out
}
