package main

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/collect/collecttest"
	"github.com/indexpilot/indexpilot-telemetry/report"
)

// preview --database against an IndexPilot database prints a complete
// report: every metric the collector fills, valid under the contract, and
// none of the planted names, free text, user ids or addresses.
func TestPreviewAgainstIndexPilotDatabase(t *testing.T) {
	url := collecttest.NewIndexPilotDB(t, collecttest.TestSize)
	e := newEnv(t, "http://127.0.0.1:1")
	config := "bypass:\n  features:\n    auto_indexing:\n      enabled: true\nfeatures:\n  qpg:\n    enabled: true\n  auto_indexer:\n    mode: apply\n"
	if err := os.WriteFile(e.vars["INDEXPILOT_CONFIG_FILE"], []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	e.mustRun("on")
	code, out, errOut := e.run("preview", "--database", url)
	if code != 0 {
		t.Fatalf("preview: exit %d\n%s", code, errOut)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("preview printed no JSON report: %v\n%s", err, out)
	}
	metrics, _ := m["metrics"].(map[string]any)
	for _, f := range []string{"features_used", "indexes_created", "indexes_recommended", "queries_analyzed",
		"performance_improvement_pct", "query_latency_ms", "algorithm_usage", "algorithm_decisions", "errors",
		"ab_experiments", "tenants_bucket"} {
		if _, ok := metrics[f]; !ok {
			t.Errorf("metrics.%s missing from the preview\nstderr: %s", f, errOut)
		}
	}
	if env, _ := m["environment"].(map[string]any); env["postgresql_version"] == nil {
		t.Errorf("environment.postgresql_version missing: %v", env)
	}
	d, err := report.Decode([]byte(out), time.Now(), report.DefaultRetention)
	if err != nil {
		t.Fatalf("the preview breaks the contract: %v", err)
	}
	if len(d.Ignored) != 0 {
		t.Fatalf("the server would ignore %v", d.Ignored)
	}
	lower := strings.ToLower(out)
	for _, planted := range []string{"secret", "customers", "acme", collecttest.PlantedIP, collecttest.PlantedUserID, "cfo", "create index", "ssn"} {
		if strings.Contains(lower, strings.ToLower(planted)) {
			t.Errorf("the preview leaks %q", planted)
		}
	}
}
