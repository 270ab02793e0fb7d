package report

import (
	"testing"
	"time"
)

// benchSeed is what the first client sends, as the load generator
// (internal/bench) writes it: compact, with a report_id.
const benchSeed = `{"report_id":"6ba7b810-9dad-11d1-80b4-00c04fd430c8","installation_id":"bench-000042","version":"1.0.2",` +
	`"timestamp":"2026-11-20T10:00:00Z","metrics":{"features_used":["auto_indexing","pattern_detection"],` +
	`"indexes_created":17,"queries_analyzed":48213,"performance_improvement_pct":31.4,` +
	`"algorithm_usage":{"predictive_indexing":12,"cert":3,"qpg":9}},` +
	`"environment":{"python_version":"3.11.0","postgresql_version":"16.0","os":"linux","cpu_cores":8}}`

// benchV2 is a schema-version-2 report with every field, as in
// docs/contract.md.
const benchV2 = `{
  "schema_version": 2,
  "report_id": "6ba7b810-9dad-11d1-80b4-00c04fd430c8",
  "installation_id": "3f2b9c1e-5d4a-4e8b-9a7c-1b2c3d4e5f60",
  "version": "1.2.0rc1",
  "timestamp": "2026-11-20T11:00:00.123456+01:00",
  "metrics": {
    "features_used": ["auto_indexing", "pattern_detection", "ab_testing"],
    "indexes_created": 42,
    "indexes_recommended": 7,
    "queries_analyzed": 10000,
    "performance_improvement_pct": 30.5,
    "explain_coverage_pct": 87.5,
    "algorithm_usage": {"predictive_indexing": 15, "cert": 8, "qpg": 12},
    "errors": {"psycopg2.OperationalError": 2},
    "query_latency_ms": {"p50": 1.8, "p95": 12.5, "p99": 40},
    "algorithm_decisions": {"cert": 5, "qpg": 3},
    "ab_experiments": [
      {"experiment": "9f86d081884c7d65", "variant": "control", "n": 5000, "mean_ms": 4.2, "variance_ms2": 1.9},
      {"experiment": "9f86d081884c7d65", "variant": "indexed", "n": 4900, "mean_ms": 3.1, "variance_ms2": 1.4}
    ],
    "tenants_bucket": "2-10"
  },
  "environment": {"python_version": "3.11.0", "postgresql_version": "15.0", "os": "linux",
                  "arch": "x86_64", "cpu_cores": 8, "runtime": "docker"}
}`

func BenchmarkDecode(b *testing.B) { benchmarkDecode(b, Decode) }

// BenchmarkDecodeReference is the baseline: the decoder Decode replaced.
func BenchmarkDecodeReference(b *testing.B) { benchmarkDecode(b, referenceDecode) }

func benchmarkDecode(b *testing.B, decode func([]byte, time.Time, time.Duration) (*Decoded, error)) {
	for _, bb := range []struct{ name, body string }{{"seed", benchSeed}, {"v2", benchV2}} {
		b.Run(bb.name, func(b *testing.B) {
			body := []byte(bb.body)
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := decode(body, now, DefaultRetention); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
