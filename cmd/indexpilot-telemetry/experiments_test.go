package main

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

// experimentsJSON is what `experiments --json` prints: the contract other
// programs (IndexPilot's Python side) read.
type experimentsJSON struct {
	Experiments []struct {
		Name     string   `json:"name"`
		Variant  string   `json:"variant"`
		Variants []string `json:"variants"`
	} `json:"experiments"`
}

func (e *env) experiments() (experimentsJSON, string) {
	e.t.Helper()
	code, out, errOut := e.run("experiments", "--json")
	var got experimentsJSON
	if code != exitOK || json.Unmarshal([]byte(out), &got) != nil || got.Experiments == nil {
		e.t.Fatalf("experiments --json: exit %d, want 0 and the JSON\n%s%s", code, out, errOut)
	}
	return got, errOut
}

func TestExperimentsCommand(t *testing.T) {
	url, st := startServerWith(t, nil)
	now := time.Now().UTC()
	if err := st.CreateExperiment(context.Background(), store.Experiment{Name: "cert_threshold_v2",
		Variants: []string{"control", "treatment"}, Split: []float64{0.5, 0.5}, Metric: store.MetricPerformance,
		HigherIsBetter: true, MinEffect: 1, Start: now.Add(-time.Minute), Created: now}); err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, url)
	if got, _ := e.experiments(); len(got.Experiments) != 0 {
		t.Fatalf("off, never on: %+v, want an empty list", got)
	}
	e.mustRun("on")
	on, _ := e.experiments()
	if len(on.Experiments) != 1 || on.Experiments[0].Name != "cert_threshold_v2" ||
		!slices.Contains(on.Experiments[0].Variants, on.Experiments[0].Variant) {
		t.Fatalf("on: %+v", on)
	}
	if out := e.mustRun("experiments"); !strings.Contains(out, "cert_threshold_v2") || !strings.Contains(out, on.Experiments[0].Variant) {
		t.Errorf("experiments:\n%s", out)
	}
	// Off and offline: the same variant, exit 0.
	e.mustRun("off")
	e.vars["INDEXPILOT_TELEMETRY_ENDPOINT"] = closedEndpoint(t)
	if off, _ := e.experiments(); len(off.Experiments) != 1 || off.Experiments[0].Variant != on.Experiments[0].Variant {
		t.Errorf("off: %+v, want the variant of on", off)
	}
}

// Offline with telemetry on and no list yet: an empty list, exit 0, and
// a line saying why.
func TestExperimentsOffline(t *testing.T) {
	e := newEnv(t, closedEndpoint(t))
	e.mustRun("on")
	got, errOut := e.experiments()
	if len(got.Experiments) != 0 || !strings.Contains(errOut, "fetching the running experiments") {
		t.Errorf("offline: %+v, stderr %q", got, errOut)
	}
}
