package report

import "testing"

func TestFieldSchema(t *testing.T) {
	for path, want := range map[string]int{
		"installation_id": 1, "metrics": 1, "metrics.indexes_created": 1, "metrics.query_latency_ms.p50": 1,
		"metrics.tenants_bucket": 2, "metrics.ab_experiments": 2, "metrics.ab_experiments.n": 2, "metrics.algorithm_decisions.cert": 2,
	} {
		if got := FieldSchema(path); got != want {
			t.Errorf("FieldSchema(%q) = %d, want %d", path, got, want)
		}
	}
}
