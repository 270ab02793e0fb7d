package report

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

// now is the server clock of the tests; seed's timestamp is two hours earlier.
var now = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

// seed is the body the first client sends.
const seed = `{"installation_id": "3f2b9c1e-5d4a-4e8b-9a7c-1b2c3d4e5f60", "version": "1.1.0", "timestamp": "2026-11-20T10:00:00Z",
 "metrics": {"features_used": ["auto_indexing", "pattern_detection"], "indexes_created": 42,
             "queries_analyzed": 10000, "performance_improvement_pct": 30.5,
             "algorithm_usage": {"predictive_indexing": 15, "cert": 8, "qpg": 12}},
 "environment": {"python_version": "3.11.0", "postgresql_version": "15.0", "os": "linux", "cpu_cores": 8}}`

// del marks a field to be removed by body.
type del struct{}

// raw is a value written into a body verbatim (1e400, 42.0).
type raw string

func (r raw) MarshalJSON() ([]byte, error) { return []byte(r), nil }

// body returns seed with the dotted paths set to the values given in
// pairs (path, value, path, value...); a del value removes the field.
func body(t testing.TB, kv ...any) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(seed), &m); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(kv); i += 2 {
		parts := strings.Split(kv[i].(string), ".")
		obj := m
		for _, p := range parts[:len(parts)-1] {
			next, ok := obj[p].(map[string]any)
			if !ok {
				next = map[string]any{}
				obj[p] = next
			}
			obj = next
		}
		if _, ok := kv[i+1].(del); ok {
			delete(obj, parts[len(parts)-1])
		} else {
			obj[parts[len(parts)-1]] = kv[i+1]
		}
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustDecode(t *testing.T, b []byte) *Decoded {
	t.Helper()
	d, err := Decode(b, now, DefaultRetention)
	if err != nil {
		t.Fatalf("Decode(%s): %v", b, err)
	}
	return d
}

// v2 is a valid value of every schema-version-2 field.
func v2() []any {
	return []any{
		"metrics.algorithm_decisions", map[string]any{"cert": 3},
		"metrics.ab_experiments", []any{
			map[string]any{"experiment": "0123456789abcdef", "variant": "a", "n": 100, "mean_ms": 4.5, "variance_ms2": 2.25},
			map[string]any{"experiment": "0123456789abcdef", "variant": "b", "n": 90, "mean_ms": 3.5, "variance_ms2": 1.5},
		},
		"metrics.tenants_bucket", "2-10",
	}
}

// overLimit returns MaxListEntries+1 distinct names as a map of counts,
// a list and A/B entries: one more than the contract allows.
func overLimit() (names map[string]any, features []string, experiments []any) {
	names = make(map[string]any, MaxListEntries+1)
	features = make([]string, MaxListEntries+1)
	experiments = make([]any, MaxListEntries+1)
	for i := range features {
		features[i] = fmt.Sprintf("f%d", i)
		names[features[i]] = 1
		experiments[i] = map[string]any{"experiment": "0123456789abcdef", "variant": features[i]}
	}
	return names, features, experiments
}

// experiment is the change to seed that sends one valid A/B entry
// with the given fields (name, value, …) replaced.
func experiment(kv ...any) []any {
	e := map[string]any{"experiment": "0123456789abcdef", "variant": "a", "n": 1, "mean_ms": 1, "variance_ms2": 1}
	for i := 0; i < len(kv); i += 2 {
		e[kv[i].(string)] = kv[i+1]
	}
	return []any{"schema_version", 2, "metrics.ab_experiments", []any{e}}
}
