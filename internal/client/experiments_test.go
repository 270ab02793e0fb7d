package client

import (
	"bytes"
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/auth"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

// registerExperiment adds a running experiment to the test server's
// registry.
func (ts *testServer) registerExperiment(name string, variants ...string) {
	ts.t.Helper()
	split := make([]float64, len(variants))
	for i := range split {
		split[i] = 1 / float64(len(split))
	}
	now := time.Now().UTC()
	if err := ts.store.CreateExperiment(context.Background(), store.Experiment{Name: name, Variants: variants, Split: split,
		Metric: store.MetricPerformance, HigherIsBetter: true, MinEffect: 1, Start: now.Add(-time.Hour), Created: now}); err != nil {
		ts.t.Fatal(err)
	}
}

// adminKey stores an admin key and returns its text.
func (ts *testServer) adminKey() string {
	ts.t.Helper()
	text, sec, err := auth.New(auth.PrefixAdmin)
	if err == nil {
		err = ts.store.CreateKey(context.Background(), store.Key{ID: sec.ID, Kind: store.KindAdmin, Name: "t", Hash: sec.Hash(), Created: time.Now()})
	}
	if err != nil {
		ts.t.Fatal(err)
	}
	return text
}

// onWithAnExperiment starts a server running cert_threshold_v2 and an
// installation with telemetry on.
func onWithAnExperiment(t *testing.T) (*testServer, *testEnv) {
	ts := startServer(t, "127.0.0.1:0")
	ts.registerExperiment("cert_threshold_v2", "control", "treatment")
	e := newEnv(t, ts.url)
	if _, err := e.client().SetMode(context.Background(), On, false); err != nil {
		t.Fatal(err)
	}
	return ts, e
}

// offline is a client of e's installation that fails the test if it
// opens any connection.
func (e *testEnv) offline() *Client {
	c := e.client()
	c.http = noDialing(e.t)
	return c
}

// The list of experiments reaches the client only while telemetry is on;
// off and local use the list fetched last without a connection or a
// write, so the installation keeps its variants in every mode and across
// restarts.
func TestExperimentsFollowTheMode(t *testing.T) {
	ts := startServer(t, "127.0.0.1:0")
	ts.registerExperiment("cert_threshold_v2", "control", "treatment")
	ts.registerExperiment("qpg_cost_model", "control", "a", "b")
	e := newEnv(t, ts.url)
	ctx := context.Background()

	// Never turned on: no list, no connection, nothing written.
	list, err := e.offline().Experiments(ctx)
	if err != nil || len(list) != 0 {
		t.Fatalf("off, never on: %v (%v), want no experiment", list, err)
	}
	if _, ok := e.offline().ExperimentVariant("cert_threshold_v2"); ok {
		t.Error("off, never on: an assignment without a list")
	}
	if _, err := os.Stat(e.stateDir()); !os.IsNotExist(err) {
		t.Fatalf("off wrote the state folder: %v", err)
	}

	// On: fetched, assigned, remembered.
	e.clientOn()
	on, err := e.client().Experiments(ctx)
	if err != nil || len(on) != 2 || on[0].Name != "cert_threshold_v2" || !slices.Contains(on[0].Variants, on[0].Variant) ||
		len(on[1].Variants) != 3 || !slices.Contains(on[1].Variants, on[1].Variant) {
		t.Fatalf("on: %+v (%v)", on, err)
	}
	for _, a := range on {
		if v, ok := e.offline().ExperimentVariant(a.Name); !ok || v != a.Variant {
			t.Errorf("ExperimentVariant(%s) = %q, %v; Experiments said %q", a.Name, v, ok, a.Variant)
		}
	}

	// Off (and local): the same variants, from the list, offline.
	for _, m := range []Mode{Off, Local} {
		if _, err := e.client().SetMode(ctx, m, false); err != nil {
			t.Fatal(err)
		}
		e.tick()
		before := tree(t, e.stateDir())
		e.now = e.now.Add(48 * time.Hour) // stale: still no connection
		got, err := e.offline().Experiments(ctx)
		if err != nil || len(got) != len(on) {
			t.Errorf("%s: %+v (%v), want the variants of on", m, got, err)
		}
		for i := range on {
			if got[i].Variant != on[i].Variant {
				t.Errorf("%s: %s runs %s, but %s when on", m, on[i].Name, got[i].Variant, on[i].Variant)
			}
		}
		if after := tree(t, e.stateDir()); !maps.Equal(before, after) {
			t.Errorf("%s: Experiments changed the state folder", m)
		}
	}
}

// With telemetry on, the list is refreshed once a day (by send, too); a
// stopped experiment leaves it then; offline, the last list stands and
// the error says so.
func TestExperimentsRefreshDaily(t *testing.T) {
	ts, e := onWithAnExperiment(t)
	if _, err := e.client().Send(ctx); err != nil {
		t.Fatal(err)
	}
	first := (folder{e.stateDir()}).loadExperiments()
	if len(first.Experiments) != 1 || len(first.ID) != 32 {
		t.Fatalf("after send: %+v, want the list and an experiment id", first)
	}
	variant, _ := e.client().ExperimentVariant("cert_threshold_v2")

	// Through the API, as maintainers do: the server's list changes at once.
	admin := ts.adminKey()
	for _, req := range []struct{ path, body string }{
		{"/api/v1/experiments/cert_threshold_v2/stop", ""},
		{"/api/v1/experiments", `{"name":"later_one","variants":["control","treatment"],"metric":"error_rate","min_effect":1}`},
	} {
		r, _ := http.NewRequest("POST", ts.url+req.path, strings.NewReader(req.body))
		r.Header.Set("Authorization", "Bearer "+admin)
		res, err := http.DefaultClient.Do(r)
		if err != nil || res.StatusCode >= 300 {
			t.Fatalf("POST %s: %v %v", req.path, res.Status, err)
		}
		res.Body.Close()
	}
	e.now = e.now.Add(time.Hour) // within a day: the stored list, without asking
	if list, _ := e.offline().Experiments(ctx); len(list) != 1 || list[0].Variant != variant {
		t.Errorf("an hour later: %+v, want the stored list", list)
	}
	e.now = e.now.Add(24 * time.Hour)
	list, err := e.client().Experiments(ctx)
	if err != nil || len(list) != 1 || list[0].Name != "later_one" {
		t.Errorf("a day later: %+v (%v), want only the running experiment", list, err)
	}
	if st := (folder{e.stateDir()}).loadExperiments(); st.ID != first.ID {
		t.Errorf("the experiment id changed from %s to %s", first.ID, st.ID)
	}

	e.vars["INDEXPILOT_TELEMETRY_ENDPOINT"] = "http://127.0.0.1:1" // nothing listens there
	e.now = e.now.Add(25 * time.Hour)
	list, err = e.client().Experiments(ctx)
	if err == nil || len(list) != 1 || list[0].Name != "later_one" {
		t.Errorf("offline: %+v (%v), want the last list and an error saying why", list, err)
	}
}

// With telemetry on, reports carry the variants (metrics.experiments),
// which the server keeps; collect_usage_stats: false leaves them out.
func TestReportsCarryTheAssignments(t *testing.T) {
	ts, e := onWithAnExperiment(t)
	// The first report covers the time before the installation had the
	// list, when it ran no variant; the list comes with that upload.
	for range 2 {
		if res, err := e.client().Send(ctx); err != nil || len(res.Uploaded) != 1 {
			t.Fatalf("send: %+v %v", res, err)
		}
		e.tick()
	}
	if bytes.Contains(ts.received()[0], []byte(`"experiments"`)) {
		t.Errorf("the report built before the list was fetched carried assignments:\n%s", ts.received()[0])
	}
	variant, _ := e.client().ExperimentVariant("cert_threshold_v2")
	var sent struct {
		Metrics struct {
			Experiments map[string]string `json:"experiments"`
		} `json:"metrics"`
	}
	if err := json.Unmarshal(ts.received()[1], &sent); err != nil || sent.Metrics.Experiments["cert_threshold_v2"] != variant {
		t.Fatalf("the report carried %v (%v), the client runs %q", sent.Metrics.Experiments, err, variant)
	}
	exp, err := ts.store.ExportInstallation(ctx, e.installationID())
	if err != nil || len(exp.Reports) != 2 || exp.Reports[1].Report.Metrics.Experiments["cert_threshold_v2"] != variant {
		t.Fatalf("stored: %+v (%v)", exp, err)
	}

	e.writeConfig("telemetry:\n  collect_usage_stats: false\n")
	e.tick()
	if _, err := e.client().Send(ctx); err != nil {
		t.Fatal(err)
	}
	if body := ts.received()[2]; bytes.Contains(body, []byte(`"experiments"`)) {
		t.Errorf("collect_usage_stats: false, and the report carried the experiments:\n%s", body)
	}
}
