package experiment_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/auth"
	"github.com/indexpilot/indexpilot-telemetry/internal/database/databasetest"
	"github.com/indexpilot/indexpilot-telemetry/internal/experiment"
	"github.com/indexpilot/indexpilot-telemetry/internal/fleet"
	"github.com/indexpilot/indexpilot-telemetry/internal/pgtest"
	"github.com/indexpilot/indexpilot-telemetry/internal/server/servertest"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
	"github.com/indexpilot/indexpilot-telemetry/telemetry"
)

// TestEndToEnd runs both experiments of a real fleet through every part,
// on both stores: the registry through the API, real clients fetching the
// list and reporting their assignment, a simulated fleet (assigning itself
// the same way) reporting through the HTTP API, and the analysis read back
// from the API: the real effect is found, the A/A is not declared
// different.
func TestEndToEnd(t *testing.T) {
	for _, backend := range []struct {
		name string
		dsn  func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return "sqlite:" + filepath.Join(t.TempDir(), "e2e.db") }},
		{"postgres", func(t *testing.T) string { return pgtest.New(t) }},
	} {
		t.Run(backend.name, func(t *testing.T) { endToEnd(t, backend.dsn(t)) })
	}
}

// service is the analytics service on loopback with an admin and a fleet key.
type service struct {
	t            *testing.T
	url          string
	admin, fleet string
}

// clock is the pinned time of the test: the server's, the clients' and the
// fleet's, so that the same reports give the same analysis on any day.
var clock = time.Date(2026, 11, 20, 15, 0, 0, 0, time.UTC)

func startService(t *testing.T, dsn string) *service {
	t.Helper()
	st := databasetest.Open(t, dsn)
	s := &service{t: t, admin: key(t, st, store.KindAdmin), fleet: key(t, st, store.KindFleet)}
	srv := servertest.New(t, st, servertest.Options{Now: func() time.Time { return clock }})
	s.url = servertest.Serve(t, srv.Handler())
	return s
}

func key(t *testing.T, st store.Store, kind string) string {
	t.Helper()
	prefix := map[string]string{store.KindAdmin: auth.PrefixAdmin, store.KindFleet: auth.PrefixFleet}[kind]
	text, sec, err := auth.New(prefix)
	if err == nil {
		err = st.CreateKey(context.Background(), store.Key{ID: sec.ID, Kind: kind, Name: "e2e", Hash: sec.Hash(), Created: time.Now()})
	}
	if err != nil {
		t.Fatal(err)
	}
	return text
}

// api calls the service as an admin and decodes the answer into out.
func (s *service) api(method, path string, body any, out any) {
	s.t.Helper()
	data, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, s.url+path, bytes.NewReader(data))
	req.Header.Set("Authorization", "Bearer "+s.admin)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode >= 300 {
		s.t.Fatalf("%s %s: %d %s", method, path, res.StatusCode, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			s.t.Fatalf("%s %s: %v", method, path, err)
		}
	}
}

func endToEnd(t *testing.T, dsn string) {
	s := startService(t, dsn)
	ctx := context.Background()

	now := clock
	start := now.Add(-9 * 24 * time.Hour)

	// The registry, through the API.
	for _, spec := range []experiment.Spec{
		{Name: "cert_threshold_v2", Variants: []string{"control", "treatment"}, Metric: store.MetricPerformance, MinEffect: 1, Start: &start},
		{Name: "explain_sampling_aa", Variants: []string{"control", "treatment"}, Metric: store.MetricPerformance, MinEffect: 3, Start: &start},
	} {
		s.api("POST", "/api/v1/experiments", spec, nil)
	}

	// Real clients: on, the list fetched, a report sent; each reports the
	// variant it runs.
	clients := map[string]string{} // cert_threshold_v2 variant by installation
	for i := range 4 {
		dir := t.TempDir()
		vars := map[string]string{"XDG_STATE_HOME": dir, "INDEXPILOT_TELEMETRY_ENDPOINT": s.url, "INDEXPILOT_VERSION": "1.2.0",
			"INDEXPILOT_CONFIG_FILE": filepath.Join(dir, "none.yaml"), "DB_HOST": "127.0.0.1", "DB_PORT": "1"}
		c := telemetry.New(telemetry.Options{Getenv: func(k string) string { return vars[k] }, Stderr: io.Discard,
			Now: func() time.Time { return clock }})
		if _, err := c.SetMode(ctx, telemetry.On, false); err != nil {
			t.Fatal(err)
		}
		// The first upload brings the list; the next report carries the
		// variant.
		for range 2 {
			if res, err := c.Send(ctx); err != nil || len(res.Uploaded) != 1 {
				t.Fatalf("client %d: %+v %v", i, res, err)
			}
		}
		variant, ok := c.ExperimentVariant("cert_threshold_v2")
		st, _ := c.Status(ctx)
		if !ok {
			t.Fatalf("client %d has no variant", i)
		}
		clients[st.InstallationID] = variant
		var exp struct {
			Reports []struct {
				Report struct {
					Metrics struct {
						Experiments map[string]string `json:"experiments"`
					} `json:"metrics"`
				} `json:"report"`
			} `json:"reports"`
		}
		data, err := c.Export(ctx)
		if err := errors.Join(err, json.Unmarshal(data, &exp)); err != nil || len(exp.Reports) != 2 {
			t.Fatalf("client %d export: %v", i, err)
		}
		// The same timestamp (the clock is pinned): the store orders them by id.
		first, second := exp.Reports[0].Report.Metrics.Experiments, exp.Reports[1].Report.Metrics.Experiments
		if len(first) > 0 {
			first, second = second, first
		}
		if len(first) != 0 || second["cert_threshold_v2"] != variant || len(second) != 2 {
			t.Errorf("client %d: the server stored %v then %v, the client runs %s", i, first, second, variant)
		}
	}

	// The analysis counts each client in the variant it runs (none has
	// the metric: their IndexPilot database is unreachable).
	var early experiment.Analysis
	s.api("GET", "/api/v1/experiments/cert_threshold_v2", nil, &early)
	for _, v := range early.Variants {
		n := 0
		for _, cv := range clients {
			if cv == v.Variant {
				n++
			}
		}
		if v.Installations != n || v.Measured != 0 {
			t.Errorf("variant %s: %d installations (%d measured), the clients say %d", v.Variant, v.Installations, v.Measured, n)
		}
	}

	// A fleet of 150 installations over 10 days, through the HTTP API.
	sum, err := fleet.Run(ctx, fleet.Config{Target: s.url, Key: s.fleet, Installations: 150, Days: 10, Seed: 13, Concurrency: 8, Now: now,
		Experiments: []fleet.Experiment{
			{Name: "cert_threshold_v2", Variants: []string{"control", "treatment"}, Split: []float64{0.5, 0.5}, Start: start,
				Effect: map[string]float64{"treatment": 6}},
			{Name: "explain_sampling_aa", Variants: []string{"control", "treatment"}, Split: []float64{0.5, 0.5}, Start: start},
		}})
	if err != nil {
		t.Fatalf("fleet: %v (%+v)", err, sum)
	}

	var real, aa experiment.Analysis
	s.api("GET", "/api/v1/experiments/cert_threshold_v2", nil, &real)
	s.api("GET", "/api/v1/experiments/explain_sampling_aa", nil, &aa)
	for _, a := range []experiment.Analysis{real, aa} {
		t.Logf("%s: %s, effect %.2f (%.2f to %.2f), installations %d/%d", a.Name, a.Decision, *a.Effect.Estimate,
			*a.Effect.Low, *a.Effect.High, a.Variants[0].Installations, a.Variants[1].Installations)
	}
	if real.Decision != experiment.TreatmentBetter || *real.Effect.Low > 6 || *real.Effect.High < 6 {
		t.Errorf("real effect of +6: %s, interval %v..%v", real.Decision, *real.Effect.Low, *real.Effect.High)
	}
	if aa.Decision == experiment.TreatmentBetter || aa.Decision == experiment.ControlBetter || aa.Effect.Low == nil {
		t.Errorf("A/A: %s (interval %v..%v), want no side better", aa.Decision, aa.Effect.Low, aa.Effect.High)
	}
	for _, a := range []experiment.Analysis{real, aa} {
		n := a.Variants[0].Installations + a.Variants[1].Installations
		if a.SRMWarning || n < 120 || a.Variants[0].Measured < 50 || a.Variants[1].Measured < 50 {
			t.Errorf("%s: srm warning %v, %d installations (%d measured in control)", a.Name, a.SRMWarning, n, a.Variants[0].Measured)
		}
	}
}
