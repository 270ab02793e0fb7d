package report

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"
)

// FuzzAppendJSONMatchesMarshal checks that AppendJSON writes what
// json.Marshal writes: for decoded reports, for whatever encoding/json
// makes of a body, and for metrics holding the fuzzed string, number and
// count in every field.
func FuzzAppendJSONMatchesMarshal(f *testing.F) {
	odd := []string{"", "a<b>&c", "\u2028\u2029", "\xff\xfe", "\x00\x1f\x7f\b\f\n\r\t\"\\/", "日本語", "\xed\xa0\x80"}
	for i, b := range decodeSeeds(f, 8) {
		f.Add(b, odd[i%len(odd)], []float64{0, -0.0, 1e-7, 1e21, 123456789.125, 1e-6, 5e-324, math.MaxFloat64}[i%8], int64(i-100))
	}
	f.Fuzz(func(t *testing.T, body []byte, s string, x float64, n int64) {
		if d, err := Decode(body, now, DefaultRetention); err == nil {
			compareJSON(t, &d.Metrics, &d.Environment)
		}
		var r Report
		if json.Unmarshal(body, &r) == nil {
			compareJSON(t, &r.Metrics, &r.Environment)
		}
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return // json.Marshal refuses them
		}
		m := Metrics{
			FeaturesUsed: []string{s, s + "x"}, IndexesCreated: n, IndexesRecommended: -n, QueriesAnalyzed: n / 2,
			PerformanceImprovementPct: &x, ExplainCoveragePct: Float(-x),
			AlgorithmUsage: map[string]int64{s: n, s + "<": 1, "": 0}, Errors: map[string]int64{s: -n},
			QueryLatencyMS: &Latency{x, -x, x / 3}, AlgorithmDecisions: map[string]int64{s: n},
			ABExperiments: []ABExperiment{{s, s, n, x, x / 7}, {}}, TenantsBucket: s,
		}
		e := Environment{s, s, s, s, int(n), s}
		compareJSON(t, &m, &e)
		compareJSON(t, &Metrics{}, &Environment{})
	})
}

func compareJSON(t *testing.T, m *Metrics, e *Environment) {
	t.Helper()
	for _, v := range []interface{ AppendJSON([]byte) []byte }{m, e} {
		want, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		prefix := []byte("prefix")
		if got := v.AppendJSON(prefix); !bytes.Equal(got[len(prefix):], want) || string(got[:len(prefix)]) != "prefix" {
			t.Fatalf("AppendJSON of %+v:\n got %s\nwant %s", v, got, want)
		}
	}
}

func BenchmarkAppendJSON(b *testing.B) {
	d, err := Decode([]byte(benchV2), now, DefaultRetention)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("AppendJSON", func(b *testing.B) {
		b.ReportAllocs()
		buf := make([]byte, 0, 1024)
		for b.Loop() {
			buf = d.Environment.AppendJSON(d.Metrics.AppendJSON(buf[:0]))
		}
	})
	b.Run("json.Marshal", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := json.Marshal(&d.Metrics); err != nil {
				b.Fatal(err)
			}
			if _, err := json.Marshal(&d.Environment); err != nil {
				b.Fatal(err)
			}
		}
	})
}
