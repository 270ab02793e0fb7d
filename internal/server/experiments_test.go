package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
)

func (e *env) admin(method, path, body string) resp {
	return e.do(method, path, []byte(body), "Authorization", "Bearer "+adminToken, "Content-Type", "application/json")
}

// The registry through the API: create (admin), the public list of
// running experiments, an analysis, stop; every rule broken is a 400
// naming the field.
func TestExperimentsAPI(t *testing.T) {
	e := newEnv(t, nil)
	const spec = `{"name":"cert_threshold_v2","variants":["control","treatment"],
		"metric":"performance_improvement_pct","higher_is_better":true,"min_effect":1.0}`
	if r := e.do("POST", "/api/v1/experiments", []byte(spec), "Content-Type", "application/json"); r.status != http.StatusUnauthorized {
		t.Fatalf("create without a token: %d, want 401", r.status)
	}
	r := e.admin("POST", "/api/v1/experiments", spec)
	if r.status != http.StatusCreated || r.body["name"] != "cert_threshold_v2" || r.body["running"] != true {
		t.Fatalf("create: %d %s", r.status, r.raw)
	}
	if split := r.body["split"].([]any); len(split) != 2 || split[0] != 0.5 {
		t.Errorf("split %v, want even", split)
	}
	wantError(t, e.admin("POST", "/api/v1/experiments", spec), http.StatusConflict, "conflict", "")
	e.admin("POST", "/api/v1/experiments", `{"name":"latency_aa","variants":["a","b","c"],"split":[2,1,1],
		"metric":"latency_p95_ms","min_effect":0.5}`)
	end := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
	e.admin("POST", "/api/v1/experiments", `{"name":"over","variants":["control","treatment"],"metric":"error_rate",
		"min_effect":1,"start":"`+time.Now().Add(-48*time.Hour).UTC().Format(time.RFC3339)+`","end":"`+end+`"}`)

	// Public: no key, only the running ones, in the shape.
	r = e.do("GET", "/api/v1/experiments/active", nil)
	var active struct {
		Experiments []struct {
			Name     string    `json:"name"`
			Variants []string  `json:"variants"`
			Split    []float64 `json:"split"`
		} `json:"experiments"`
	}
	if err := json.Unmarshal(r.raw, &active); err != nil || r.status != http.StatusOK || len(active.Experiments) != 2 {
		t.Fatalf("active: %d %s", r.status, r.raw)
	}
	if a := active.Experiments[1]; a.Name != "latency_aa" || len(a.Variants) != 3 || a.Split[0] != 0.5 || a.Split[2] != 0.25 {
		t.Errorf("active latency_aa: %+v, want 3 variants split 0.5/0.25/0.25", a)
	}

	// The analysis of an experiment without reports yet.
	r = e.admin("GET", "/api/v1/experiments/latency_aa", "")
	if r.status != http.StatusOK || r.body["decision"] != "insufficient_data" || r.body["metric"] != "latency_p95_ms" ||
		r.body["higher_is_better"] != false || len(r.body["comparisons"].([]any)) != 2 || r.body["effect"] == nil {
		t.Errorf("analysis: %d %s", r.status, r.raw)
	}
	wantError(t, e.admin("GET", "/api/v1/experiments/nothing", ""), http.StatusNotFound, "not_found", "")
	if r := e.do("GET", "/api/v1/experiments/latency_aa", nil); r.status != http.StatusUnauthorized {
		t.Errorf("analysis without a token: %d, want 401", r.status)
	}
	if r := e.admin("GET", "/api/v1/experiments", ""); r.status != http.StatusOK || len(r.body["experiments"].([]any)) != 3 {
		t.Errorf("list: %d %s", r.status, r.raw)
	}

	// Stopping takes it off the public list at once.
	if r := e.admin("POST", "/api/v1/experiments/latency_aa/stop", ""); r.status != http.StatusOK || r.body["running"] != false {
		t.Fatalf("stop: %d %s", r.status, r.raw)
	}
	if r := e.do("GET", "/api/v1/experiments/active", nil); len(r.body["experiments"].([]any)) != 1 {
		t.Errorf("active after stopping one: %s", r.raw)
	}
	wantError(t, e.admin("POST", "/api/v1/experiments/nothing/stop", ""), http.StatusNotFound, "not_found", "")
}

func TestExperimentRules(t *testing.T) {
	e := newEnv(t, nil)
	long := time.Now().Add(-100 * 24 * time.Hour).UTC().Format(time.RFC3339)
	for _, tc := range []struct{ body, field string }{
		{`{"name":"Bad-Name","variants":["a","b"],"metric":"error_rate","min_effect":1}`, "name"},
		{`{"name":"active","variants":["a","b"],"metric":"error_rate","min_effect":1}`, "name"},
		{`{"name":"x","variants":["a"],"metric":"error_rate","min_effect":1}`, "variants"},
		{`{"name":"x","variants":["a","a"],"metric":"error_rate","min_effect":1}`, "variants"},
		{`{"name":"x","variants":["a","B"],"metric":"error_rate","min_effect":1}`, "variants"},
		{`{"name":"x","variants":["a","b"],"split":[1],"metric":"error_rate","min_effect":1}`, "split"},
		{`{"name":"x","variants":["a","b"],"split":[1,0],"metric":"error_rate","min_effect":1}`, "split"},
		{`{"name":"x","variants":["a","b"],"metric":"happiness","min_effect":1}`, "metric"},
		{`{"name":"x","variants":["a","b"],"metric":"error_rate","min_effect":0}`, "min_effect"},
		{`{"name":"x","variants":["a","b"],"metric":"error_rate","min_effect":1,"start":"` + long + `"}`, "start"},
		{`{"name":"x","variants":["a","b"],"metric":"error_rate","min_effect":1,"end":"2020-01-01T00:00:00Z"}`, "end"},
	} {
		wantError(t, e.admin("POST", "/api/v1/experiments", tc.body), http.StatusBadRequest, "invalid_experiment", tc.field)
	}
	wantError(t, e.admin("POST", "/api/v1/experiments", `{"name":"x","colour":"red"}`), http.StatusBadRequest, "invalid_body", "")
	if r := e.admin("GET", "/api/v1/experiments", ""); len(r.body["experiments"].([]any)) != 0 {
		t.Errorf("refused experiments were stored: %s", r.raw)
	}
}

// Reports keep the assignments of registered experiments and variants;
// the others are named in ignored_fields and not stored.
func TestReportsKeepRegisteredAssignments(t *testing.T) {
	e := newEnv(t, nil)
	if r := e.admin("POST", "/api/v1/experiments", `{"name":"cert_threshold_v2","variants":["control","treatment"],
		"metric":"performance_improvement_pct","min_effect":1}`); r.status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.status, r.raw)
	}
	r := e.send(e.fleet, body("exp-inst-0001", time.Now(), `, "experiments": {"cert_threshold_v2": "treatment",
		"unknown_one": "control", "zz_bad_variant": "x"}`), "Content-Type", "application/json")
	if r.status != http.StatusOK {
		t.Fatalf("schema version 1: %d %s", r.status, r.raw)
	}
	if got := r.body["ignored_fields"].([]any); len(got) != 1 || got[0] != "metrics.experiments" {
		t.Errorf("a schema version 1 report: ignored %v, want the whole field (version 3)", got)
	}
	v3 := strings.Replace(string(body("exp-inst-0002", time.Now(), `, "experiments": {"cert_threshold_v2": "treatment",
		"unknown_one": "control"}`)), `{"installation_id"`, `{"schema_version": 3, "installation_id"`, 1)
	e.admin("POST", "/api/v1/experiments", `{"name":"other_one","variants":["a","b"],"metric":"error_rate","min_effect":1}`)
	v3bad := strings.Replace(v3, `"unknown_one": "control"`, `"unknown_one": "control", "other_one": "c"`, 1)
	r = e.send(e.fleet, []byte(v3bad))
	want := []any{"metrics.experiments.other_one", "metrics.experiments.unknown_one"}
	if got, _ := r.body["ignored_fields"].([]any); r.status != http.StatusOK || !reflect.DeepEqual(got, want) {
		t.Fatalf("version 3: %d, ignored %v, want %v", r.status, got, want)
	}
	exp, err := e.store.ExportInstallation(context.Background(), "exp-inst-0002")
	if err != nil || len(exp.Reports) != 1 || !reflect.DeepEqual(exp.Reports[0].Report.Metrics.Experiments,
		map[string]string{"cert_threshold_v2": "treatment"}) {
		t.Errorf("stored: %+v (%v)", exp, err)
	}
}
