package report

import (
	"fmt"
	"maps"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// FuzzDecodeMatchesReference holds Decode to the decoder it replaced
// (reference_test.go): the same error, Field and Rule, for every rejected
// body, and the same Decoded for every accepted one.
func FuzzDecodeMatchesReference(f *testing.F) {
	for _, b := range decodeSeeds(f, 8) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if diff := diffDecode(b); diff != "" {
			t.Fatalf("Decode(%q):\n%s", b, diff)
		}
	})
}

// diffDecode describes how Decode and referenceDecode differ on body, or
// returns "".
func diffDecode(body []byte) string {
	got, gotErr := Decode(body, now, DefaultRetention)
	want, wantErr := referenceDecode(body, now, DefaultRetention)
	switch {
	case gotErr == nil && wantErr == nil:
		if !reflect.DeepEqual(got, want) {
			return fmt.Sprintf("got  %#v\nwant %#v", got, want)
		}
	case gotErr == nil || wantErr == nil:
		return fmt.Sprintf("got  %v, %v\nwant %v, %v", got, gotErr, want, wantErr)
	default:
		g, ok1 := gotErr.(*FieldError)
		w, ok2 := wantErr.(*FieldError)
		if !ok1 || !ok2 || *g != *w {
			return fmt.Sprintf("got  %#v\nwant %#v", gotErr, wantErr)
		}
	}
	return ""
}

// TestDecodeMatchesReference runs all the seeds, of which the fuzz test
// takes a sample so as to start fuzzing within seconds.
func TestDecodeMatchesReference(t *testing.T) {
	for _, b := range decodeSeeds(t, 1) {
		if diff := diffDecode(b); diff != "" {
			t.Errorf("Decode(%q):\n%s", b, diff)
		}
	}
}

// TestDecodeCases pins the answers to the bodies of decodeCases: "ok",
// with the ignored fields if any, or the error. The reference must give
// the same.
func TestDecodeCases(t *testing.T) {
	for _, tt := range decodeCases {
		t.Run(tt.name, func(t *testing.T) {
			b := []byte(tt.body)
			if diff := diffDecode(b); diff != "" {
				t.Errorf("Decode(%q):\n%s", b, diff)
			}
			d, err := Decode(b, now, DefaultRetention)
			got := "ok"
			switch {
			case err != nil:
				got = err.Error()
			case d.Ignored != nil:
				got = fmt.Sprintf("ok, ignored %q", d.Ignored)
			}
			if got != tt.want {
				t.Errorf("Decode(%.300q)\n got %s\nwant %s", b, got, tt.want)
			}
			if tt.check != nil && err == nil && !tt.check(d) {
				t.Errorf("Decode(%.300q) = %+v", b, d)
			}
		})
	}
}

// rep returns a valid report with the given members in its metrics and
// environment objects and, after a comma, at its top level.
func rep(metrics, environment, top string) string {
	return `{"installation_id":"3f2b9c1e-5d4a","version":"1.1.0","timestamp":"2026-11-20T10:00:00Z",` +
		`"metrics":{` + metrics + `},"environment":{` + environment + `}` + top + `}`
}

// decodeCases are the behaviours of the decoder before the one-pass
// scanner that are easy to lose, with the answers it gave. Bodies on which
// fuzzing finds Decode and the reference to differ belong here too.
var decodeCases = []struct {
	name, body, want string
	check            func(*Decoded) bool // of an accepted body, if not nil
}{
	{name: "key matched case-insensitively by encoding/json is ignored",
		body:  rep(`"Indexes_Created":7`, ``, `,"Installation_ID":"ffffffffffff"`),
		want:  `ok, ignored ["Installation_ID" "metrics.Indexes_Created"]`,
		check: func(d *Decoded) bool { return d.InstallationID == "3f2b9c1e-5d4a" && d.Metrics.IndexesCreated == 0 }},
	{name: "long s and Kelvin sign, which encoding/json folds to s and k",
		body:  rep(`"ſchema":1`, `"\u212Aernel":1`, `,"ſchema_version":2`),
		want:  `ok, ignored ["environment.Kernel" "metrics.ſchema" "ſchema_version"]`,
		check: func(d *Decoded) bool { return d.SchemaVersion == 1 }},
	{name: "v2 fields of a v1 report are ignored, even malformed",
		body: rep(`"ab_experiments":7,"algorithm_decisions":"x","tenants_bucket":5`, ``, ``),
		want: `ok, ignored ["metrics.ab_experiments" "metrics.algorithm_decisions" "metrics.tenants_bucket"]`},
	{name: "v2 fields kept with schema_version 2.0",
		body: rep(`"tenants_bucket":"2-10","ab_experiments":[]`, ``, `,"schema_version":2.0`), want: "ok",
		check: func(d *Decoded) bool {
			return d.SchemaVersion == 2 && d.Metrics.TenantsBucket == "2-10" && d.Metrics.ABExperiments != nil
		}},
	{name: "schema_version as a string", body: rep(``, ``, `,"schema_version":"2"`),
		want: "report: schema_version: must be a whole number between 1 and " + strconv.Itoa(CurrentSchema) + " (got a string)"},
	{name: "v3 feature_usage of a v2 report is ignored, even malformed",
		body: rep(`"feature_usage":7`, ``, `,"schema_version":2`), want: `ok, ignored ["metrics.feature_usage"]`},
	{name: "feature_usage kept with schema_version 3",
		body: rep(`"feature_usage":{"auto_indexing":{"uses":120,"successes":117},"qpg":null,"cert":{"uses":1.0}}`, ``, `,"schema_version":3`),
		want: "ok",
		check: func(d *Decoded) bool {
			u := d.Metrics.FeatureUsage
			return len(u) == 2 && u["auto_indexing"] == FeatureUse{120, 117} && u["cert"] == FeatureUse{1, 0}
		}},
	{name: "feature_usage not an object", body: rep(`"feature_usage":[]`, ``, `,"schema_version":3`),
		want: "report: metrics.feature_usage: must be a JSON object of objects (got an array)"},
	{name: "feature_usage entry not an object", body: rep(`"feature_usage":{"qpg":3}`, ``, `,"schema_version":3`),
		want: "report: metrics.feature_usage.qpg: must be a JSON object (got 3)"},
	{name: "feature_usage with more successes than uses",
		body: rep(`"feature_usage":{"qpg":{"uses":2,"successes":3}}`, ``, `,"schema_version":3`),
		want: "report: metrics.feature_usage: must satisfy successes <= uses"},
	{name: "feature_usage entry without uses", body: rep(`"feature_usage":{"qpg":{"successes":0}}`, ``, `,"schema_version":3`),
		want: "report: metrics.feature_usage.uses: must be a whole number between 1 and 1000000000"},
	{name: "feature_usage name outside the pattern",
		body: rep(`"feature_usage":{"Auto Indexing":{"uses":2}}`, ``, `,"schema_version":3`),
		want: "report: metrics.feature_usage: each key must match ^[a-z][a-z0-9_]{0,63}$"},
	{name: "ab_experiments entry null", body: rep(`"ab_experiments":[null]`, ``, `,"schema_version":2`),
		want: "report: metrics.ab_experiments: each entry must be a JSON object (got null)"},
	{name: "ab_experiments entry with an unknown field",
		body: rep(`"ab_experiments":[{"experiment":"0123456789abcdef","variant":"a","name":"checkout"}]`, ``, `,"schema_version":2`),
		want: `ok, ignored ["metrics.ab_experiments.name"]`},
	{name: "whole numbers 42.0 and 1e1", body: rep(`"indexes_created":42.0,"algorithm_usage":{"cert":8.0}`, `"cpu_cores":1e1`, ``),
		want: "ok",
		check: func(d *Decoded) bool {
			return d.Metrics.IndexesCreated == 42 && d.Metrics.AlgorithmUsage["cert"] == 8 && d.Environment.CPUCores == 10
		}},
	{name: "whole number 42.5", body: rep(`"indexes_created":42.5`, ``, ``),
		want: "report: metrics.indexes_created: must be a whole number between 0 and 1000000000 (got 42.5)"},
	{name: "whole number -0", body: rep(`"indexes_created":-0`, ``, ``), want: "ok"},
	{name: "whole number beyond float64", body: rep(`"indexes_created":1e400`, ``, ``),
		want: "report: metrics.indexes_created: must be a whole number between 0 and 1000000000 (got 1e400)"},
	{name: "whole number beyond int64", body: rep(`"queries_analyzed":9223372036854775808`, ``, ``),
		want: "report: metrics.queries_analyzed: must be a whole number between 0 and 1000000000000 (got 9223372036854775808)"},
	{name: "long number cut in the message", body: rep(`"indexes_created":123456789012345678901234567890123456789`, ``, ``),
		want: "report: metrics.indexes_created: must be a whole number between 0 and 1000000000 (got 12345678901234567890123456789...)"},
	{name: "number beyond float64, named in full", body: rep(`"performance_improvement_pct":-1e400000000000000000000000000000000000`, ``, ``),
		want: "report: metrics.performance_improvement_pct: must be a number between -1000 and 100 (got -1e400000000000000000000000000000000000)"},
	{name: "number below the smallest float64 is 0", body: rep(`"performance_improvement_pct":1e-400`, ``, ``), want: "ok",
		check: func(d *Decoded) bool { return *d.Metrics.PerformanceImprovementPct == 0 }},
	{name: "null count is 0", body: rep(`"algorithm_usage":{"cert":null}`, ``, ``), want: "ok",
		check: func(d *Decoded) bool { n, ok := d.Metrics.AlgorithmUsage["cert"]; return ok && n == 0 }},
	{name: "empty features and maps are kept empty, not nil", body: rep(`"features_used":[],"errors":{}`, ``, ``), want: "ok",
		check: func(d *Decoded) bool { return d.Metrics.FeaturesUsed != nil && d.Metrics.Errors != nil }},
	{name: "null features entry", body: rep(`"features_used":[null]`, ``, ``),
		want: "report: metrics.features_used: each entry must match ^[a-z][a-z0-9_]{0,63}$"},
	{name: "repeated key: the last value counts for shapes",
		body: rep(`"query_latency_ms":5,"query_latency_ms":{"p50":1,"p95":2,"p99":3}`, ``, ``),
		want: "report: metrics.query_latency_ms: must be an object (got a number)"},
	{name: "repeated key: encoding/json merges the objects",
		body: rep(`"query_latency_ms":{"p50":1,"p95":2},"query_latency_ms":{"p99":3}`, ``, ``), want: "ok",
		check: func(d *Decoded) bool { return *d.Metrics.QueryLatencyMS == Latency{1, 2, 3} }},
	{name: "repeated key: an earlier value of the wrong type", body: rep(`"indexes_created":"x","indexes_created":1`, ``, ``),
		want: "report: metrics.indexes_created: must be a whole number between 0 and 1000000000 (got a string)"},
	{name: "repeated key: an earlier whole number written 1.0", body: rep(`"indexes_created":1.0,"indexes_created":1`, ``, ``),
		want: "report: metrics.indexes_created: must be a whole number between 0 and 1000000000 (got 1.0)"},
	{name: "repeated key: a later whole number written 1.0", body: rep(`"indexes_created":1,"indexes_created":1.0`, ``, ``),
		want: "ok"},
	{name: "repeated key: an earlier object's case-variant key is stored",
		body: `{"installation_id":"3f2b9c1e-5d4a","version":"1.1.0","timestamp":"2026-11-20T10:00:00Z",` +
			`"metrics":{"Indexes_Created":5},"metrics":{},"environment":{}}`, want: "ok",
		check: func(d *Decoded) bool { return d.Metrics.IndexesCreated == 5 }},
	{name: "repeated map key", body: rep(`"algorithm_usage":{"cert":1.5,"cert":2}`, ``, ``),
		want: "report: metrics.algorithm_usage: must be a whole number (got 1.5)"},
	{name: "type errors in body order", body: rep(`"tenants_bucket":1,"performance_improvement_pct":"x"`, ``, `,"schema_version":2`),
		want: "report: metrics.tenants_bucket: must be a string (got a number)"},
	{name: "type errors in key order when a field is dropped",
		body: rep(`"tenants_bucket":1,"performance_improvement_pct":"x","zz":1`, ``, `,"schema_version":2`),
		want: "report: metrics.performance_improvement_pct: must be a number between -1000 and 100 (got a string)"},
	{name: "type errors in key order when a whole number is 42.0",
		body: rep(`"tenants_bucket":1,"performance_improvement_pct":"x","indexes_created":42.0`, ``, `,"schema_version":2`),
		want: "report: metrics.performance_improvement_pct: must be a number between -1000 and 100 (got a string)"},
	{name: "escaped NUL", body: rep(``, `"os":"li\u0000nux"`, ``),
		want: "report: environment.os: must match ^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$"},
	{name: "surrogate pair and lone surrogate", body: rep(``, ``, `,"zz\ud83d\ude00\ud800":1`),
		want: "ok, ignored [\"zz😀\ufffd\"]"},
	{name: "invalid UTF-8 becomes U+FFFD", body: rep(``, ``, ",\"zz\xff\xfe\":1"), want: "ok, ignored [\"zz\ufffd\ufffd\"]"},
	{name: "escaped key", body: rep(`"indexes_\u0063reated":3`, ``, ``), want: "ok",
		check: func(d *Decoded) bool { return d.Metrics.IndexesCreated == 3 }},
	{name: "nesting at encoding/json's limit", body: rep(``, ``, `,"zz":`+strings.Repeat("[", 9999)+strings.Repeat("]", 9999)),
		want: `ok, ignored ["zz"]`},
	{name: "nesting beyond encoding/json's limit", body: rep(``, ``, `,"zz":`+strings.Repeat("[", 10000)+strings.Repeat("]", 10000)),
		want: "report: body is not valid JSON at byte 10123"},
	{name: "cut inside a string", body: rep(``, ``, ``)[:40], want: "report: body is not valid JSON at byte 40"},
	{name: "trailing comma", body: rep(``, ``, `,`), want: "report: body is not valid JSON at byte 119"},
}

// decodeSeeds returns the bodies the other tests decode, and every nth of
// their variations at every field: other types, unknown and case-variant
// keys, nulls, repeated keys, odd numbers and strings, and cut-off bodies.
func decodeSeeds(tb testing.TB, n int) [][]byte {
	full := body(tb, append(v2(), "schema_version", 2,
		"report_id", "6BA7B810-9DAD-11D1-80B4-00C04FD430C8",
		"metrics.indexes_recommended", 7, "metrics.explain_coverage_pct", 87.5,
		"metrics.errors", map[string]any{"psycopg2.OperationalError": 2},
		"metrics.query_latency_ms", map[string]any{"p50": 1.5, "p95": 12.5, "p99": 40},
		"environment.arch", "x86_64", "environment.runtime", "docker")...)
	seeds := [][]byte{[]byte(seed), full, []byte(benchSeed), []byte(benchV2)}
	seeds = append(seeds, existingBodies(tb)...)
	var variants [][]byte
	for _, base := range [][]byte{body(tb), full} {
		variants = append(variants, fieldVariants(base)...)
	}
	for _, b := range [][]byte{[]byte(seed), full} {
		for i := range b {
			variants = append(variants, b[:i])
		}
	}
	for i := 0; i < len(variants); i += n {
		seeds = append(seeds, variants[i])
	}
	return seeds
}

// existingBodies are the bodies of the other tests of this package, of
// docs/contract.md and of internal/server's tests.
func existingBodies(tb testing.TB) [][]byte {
	var out [][]byte
	add := func(kv ...any) { out = append(out, body(tb, kv...)) }
	ts := func(d time.Duration) string { return now.Add(d).Format(time.RFC3339) }
	add()
	for _, kv := range existingChanges() {
		add(kv...)
	}
	for _, sv := range []any{del{}, 1, 2} {
		add(append(v2(), "schema_version", sv)...)
		add("metrics.algorithm_decisions", "x", "metrics.ab_experiments", 7, "metrics.tenants_bucket", 5, "schema_version", sv)
	}
	add(append(v2(), "schema_version", 2, "zeta", 1, "Installation_ID", "ffffffffffff", "hostname", "db1",
		"metrics.extra", map[string]any{"deep": 1}, "metrics.Indexes_Created", 7,
		"metrics.query_latency_ms", map[string]any{"p50": 1, "p95": 2, "p99": 3, "p999": 4},
		"environment.hostname", "db1")...)
	if b, ok := insertMember(out[len(out)-1], "metrics.ab_experiments", "name", `"checkout"`, false); ok {
		out = append(out, b)
	}
	for _, d := range []time.Duration{-30 * 24 * time.Hour, MaxFutureSkew, 48 * time.Hour, -DefaultRetention - time.Hour} {
		add("timestamp", ts(d))
	}
	valid := strings.TrimSpace(seed)
	for _, b := range []string{
		"", "   ", "null", "[]", "[" + valid + "]", `"report"`, "42", "true", "{",
		valid + " x", valid + valid, valid + " {}", valid + " null",
		valid[:len(valid)-1] + `, "pad": "` + strings.Repeat("x", MaxBodyBytes) + `"}`,
	} {
		out = append(out, []byte(b))
	}
	if doc, err := os.ReadFile("../docs/contract.md"); err == nil {
		for _, b := range strings.Split(string(doc), "```json\n")[1:] {
			out = append(out, []byte(b[:strings.Index(b, "```")]))
		}
	}
	server := `{"installation_id": "inst-0001", "version": "1.1.0", "timestamp": "2026-11-20T10:00:00Z",
	 "metrics": {"features_used": ["auto_indexing", "pattern_detection"], "indexes_created": 42,
	             "queries_analyzed": 10000, "performance_improvement_pct": 30.5,
	             "algorithm_usage": {"predictive_indexing": 15, "cert": 8, "qpg": 12}%s},
	 "environment": {"python_version": "3.11.0", "postgresql_version": "15.0", "os": "linux", "cpu_cores": 8}}`
	for _, extra := range []string{"", `, "shoe_size": 44`, `, "indexes_recommended": -1`} {
		out = append(out, fmt.Appendf(nil, server, extra))
	}
	out = append(out, []byte(`{"schema_version": 2, "installation_id": "schema2-a", "version": "1.2.0", "timestamp": "2026-11-20T10:00:00Z",
		 "metrics": {"algorithm_usage": {"cert": 10}, "algorithm_decisions": {"cert": 4},
		   "query_latency_ms": {"p50": 2, "p95": 10, "p99": 40},
		   "ab_experiments": [{"experiment": "0123456789abcdef", "variant": "a", "n": 10, "mean_ms": 5, "variance_ms2": 0}]},
		 "environment": {}}`))
	return out
}

// existingChanges are the changes to seed that TestDecodeAccepts,
// TestDecodeRejects and TestKey make.
func existingChanges() [][]any {
	names, features, experiments := overLimit()
	changes := [][]any{
		{"environment.os", "Linux", "environment.arch", "X86_64"},
		{"timestamp", "2026-11-20T10:00:00.123456"}, {"timestamp", "2026-11-20T10:00:00"},
		{"timestamp", "2026-11-20T11:00:00+01:00"}, {"timestamp", "2026-11-20T10:00:00.000Z"},
		{"timestamp", "2026-11-20T10:00:01Z"}, {"timestamp", "2026-11-20T10:00:00.5Z"},
		{"schema_version", 1}, {"schema_version", nil}, {"report_id", "6BA7B810-9DAD-11D1-80B4-00C04FD430C8"},
		{"metrics.indexes_created", raw("42.0"), "metrics.queries_analyzed", raw("1e3"), "metrics.algorithm_usage.cert", raw("8.0")},
		{"metrics.indexes_created", MaxCount, "metrics.queries_analyzed", int64(MaxQueries),
			"metrics.performance_improvement_pct", MinImprovement, "metrics.explain_coverage_pct", 100, "environment.cpu_cores", MaxCPUCores},
		{"report_id", "", "metrics.features_used", nil, "metrics.performance_improvement_pct", nil,
			"metrics.query_latency_ms", nil, "metrics.algorithm_usage.cert", nil, "environment.os", "", "environment.cpu_cores", nil},
		{"metrics", map[string]any{}, "environment", map[string]any{}},
		{"metrics.query_latency_ms", map[string]any{"p50": 1.5, "p95": 1.5, "p99": 30}},
		{"metrics.features_used", []string{"b", "a", "b", "a", "b"}},
		{"metrics.features_used", slices.Repeat([]string{"a", "b"}, MaxListEntries)},
		{"installation_id", "another-installation"}, {"metrics.indexes_created", 1},
		{"schema_version", 4}, {"schema_version", 0}, {"schema_version", -1}, {"schema_version", 1.5}, {"schema_version", "2"},
		{"report_id", "report-1"}, {"report_id", "6ba7b8109dad11d180b400c04fd430c8"}, {"report_id", 1},
		{"installation_id", "abc"}, {"installation_id", strings.Repeat("a", 65)}, {"installation_id", "abc def ghi"},
		{"installation_id", 12345678}, {"version", ""}, {"version", "1.1 beta"},
		{"timestamp", "yesterday"}, {"timestamp", "2026-13-20T10:00:00Z"}, {"timestamp", "2026-11-20 10:00:00"},
		{"timestamp", "2026-11-20"}, {"timestamp", 1795168800},
		{"metrics", []int{1}}, {"environment", "linux"},
		{"metrics.indexes_created", "42"}, {"metrics.indexes_created", -1}, {"metrics.indexes_created", MaxCount + 1},
		{"metrics.indexes_created", 42.5}, {"metrics.indexes_created", raw("1e400")},
		{"metrics.indexes_created", raw("9223372036854775808")}, {"metrics.indexes_created", true},
		{"metrics.indexes_recommended", MaxCount + 1}, {"metrics.queries_analyzed", MaxQueries + 1}, {"metrics.queries_analyzed", -5},
		{"metrics.performance_improvement_pct", 100.5}, {"metrics.performance_improvement_pct", MinImprovement - 1},
		{"metrics.performance_improvement_pct", raw("1e400")}, {"metrics.performance_improvement_pct", "30.5"},
		{"metrics.explain_coverage_pct", 100.01}, {"metrics.explain_coverage_pct", -0.5},
		{"metrics.features_used", "auto_indexing"}, {"metrics.features_used", []any{1}}, {"metrics.features_used", []any{nil}},
		{"metrics.features_used", []string{"Auto Indexing"}}, {"metrics.features_used", features},
		{"metrics.algorithm_usage.cert", "8"}, {"metrics.algorithm_usage.cert", 8.5}, {"metrics.algorithm_usage.cert", raw("1e400")},
		{"metrics.algorithm_usage.cert", -8}, {"metrics.algorithm_usage.cert", MaxCount + 1}, {"metrics.algorithm_usage.CERT", 1},
		{"metrics.algorithm_usage", []int{1}}, {"metrics.algorithm_usage", names},
		{"metrics.errors", map[string]any{"psycopg2 error": 1}}, {"metrics.errors", map[string]any{"psycopg2.OperationalError": -1}},
		{"metrics.errors", names}, {"metrics.query_latency_ms", 5},
		{"metrics.query_latency_ms", map[string]any{"p50": 10, "p95": 5, "p99": 20}},
		{"metrics.query_latency_ms", map[string]any{"p50": 1, "p95": 30, "p99": 20}},
		{"metrics.query_latency_ms", map[string]any{"p50": -1, "p95": 5, "p99": 20}},
		{"metrics.query_latency_ms", map[string]any{"p50": 1, "p95": 5, "p99": MaxLatencyMS + 1}},
		{"metrics.query_latency_ms", map[string]any{"p95": "5"}},
		{"environment.python_version", "3.11.0 (main)"}, {"environment.postgresql_version", "15.0 (Debian)"},
		{"environment.os", "Mac OS"}, {"environment.os", "\u212Ainux"}, {"environment.arch", "-x86"},
		{"environment.runtime", "docker\n"}, {"environment.cpu_cores", -1}, {"environment.cpu_cores", MaxCPUCores + 1},
		{"environment.cpu_cores", 8.5}, {"environment.cpu_cores", "8"},
		{"schema_version", 2, "metrics.tenants_bucket", "5"}, {"schema_version", 2, "metrics.algorithm_decisions.cert", -1},
		{"schema_version", 2, "metrics.algorithm_decisions.Cert", 1}, {"schema_version", 2, "metrics.algorithm_decisions", names},
		{"schema_version", 2, "metrics.ab_experiments", map[string]any{}}, {"schema_version", 2, "metrics.ab_experiments", []int{1}},
		{"schema_version", 2, "metrics.ab_experiments", []any{nil}},
		{"schema_version", 2, "metrics.ab_experiments", []any{map[string]any{"variant": "a"}}},
		{"schema_version", 2, "metrics.ab_experiments", experiments},
		experiment("experiment", "checkout"), experiment("variant", "Control"),
		experiment("n", -1), experiment("n", 1.5), experiment("n", MaxQueries+1),
		experiment("mean_ms", MaxLatencyMS+1), experiment("mean_ms", "1"),
		experiment("variance_ms2", -1), experiment("variance_ms2", raw("1e400")),
		{"schema_version", 2, "metrics.ab_experiments", []any{
			map[string]any{"experiment": "0123456789abcdef", "variant": "a"},
			map[string]any{"experiment": "0123456789abcdef", "variant": "a"}}},
	}
	for _, f := range required {
		changes = append(changes, []any{f, del{}}, []any{f, nil})
	}
	return changes
}

// oddValues are JSON values to put in any field: every type, numbers at
// the edges of float64 and of whole numbers, and strings with escapes.
var oddValues = []string{
	`"x"`, `""`, `1`, `0`, `-0`, `-0.0`, `1.5`, `-1`, `42.0`, `1e3`, `1E+3`, `2e0`, `1e-400`, `1e400`, `-1e400`,
	`9223372036854775808`, `100000000000000000000000000000000000000000`, `999999999.99999999999`,
	`true`, `false`, `null`, `{}`, `[]`, `[1]`, `["a"]`, `[null]`, `[{}]`, `{"a":1}`, `{"a":1.5}`, `{"a":null}`,
	`"\u0000"`, `"\ud800"`, `"\ud83d\ude00"`, `"a\u003cb"`, "\"\xff\"", `"\u212Ainux"`,
}

// containers are the objects of a report that fieldVariants changes,
// with the fields to try in each.
func containers() map[string][]string {
	c := map[string][]string{
		"metrics.algorithm_usage":     {"cert", "Cert", "zz"},
		"metrics.errors":              {"psycopg2.OperationalError", "x"},
		"metrics.algorithm_decisions": {"cert", "qpg"},
	}
	for obj, fields := range known {
		c[obj] = fields
	}
	return c
}

// fieldVariants returns base changed at each field of each object: set
// to each odd value, repeated before or after with another value,
// preceded or followed by an unknown or case-variant key.
func fieldVariants(base []byte) [][]byte {
	var out [][]byte
	add := func(b []byte, ok bool) {
		if ok {
			out = append(out, b)
		}
	}
	objects := containers()
	for _, obj := range slices.Sorted(maps.Keys(objects)) {
		for _, f := range objects[obj] {
			for _, v := range oddValues {
				add(setMember(base, obj, f, v))
			}
			for _, first := range []bool{true, false} {
				for _, v := range []string{`null`, `"x"`, `1.5`, `8.0`, `3`, `{}`, `{"zz":1}`, `{"p50":1,"P95":2}`, `[]`, `[{"n":1}]`} {
					add(insertMember(base, obj, f, v, first))
				}
				for _, k := range []string{strings.ToUpper(f), strings.ReplaceAll(f, "s", "ſ"), strings.ReplaceAll(f, "k", "\u212A"), f + " ", "zzz", ""} {
					add(insertMember(base, obj, k, `1`, first))
					add(insertMember(base, obj, k, `"x"`, first))
				}
			}
		}
	}
	for _, sv := range []string{`1`, `1.0`, `2.0`, `2e0`, `"2"`, `null`, `3`, `0`, `1.5`, `1e400`} {
		add(setMember(base, "", "schema_version", sv))
	}
	return out
}

// setMember returns b with the value of the member key of the object at
// path replaced by value, or added last if the object lacks it.
func setMember(b []byte, path, key, value string) ([]byte, bool) {
	toks, obj, ok := findObject(b, path)
	if !ok {
		return nil, false
	}
	for k := obj + 1; k < toks[obj].next; k = toks[k+1].next {
		if unquote(b, toks[k]) == key {
			v := toks[k+1]
			return splice(b, int(v.start), int(v.end), value), true
		}
	}
	return insertMember(b, path, key, value, false)
}

// insertMember returns b with the member key: value added first or last
// to the object at path.
func insertMember(b []byte, path, key, value string, first bool) ([]byte, bool) {
	toks, obj, ok := findObject(b, path)
	if !ok {
		return nil, false
	}
	member := fmt.Sprintf("%q:%s", key, value)
	empty := toks[obj].next == obj+1
	switch {
	case empty:
		return splice(b, int(toks[obj].start)+1, int(toks[obj].start)+1, member), true
	case first:
		return splice(b, int(toks[obj].start)+1, int(toks[obj].start)+1, member+","), true
	}
	return splice(b, int(toks[obj].end)-1, int(toks[obj].end)-1, ","+member), true
}

// findObject returns the tokens of b and the index of the object at the
// dotted path: the first entry of an array on the way.
func findObject(b []byte, path string) ([]token, int32, bool) {
	toks, ok := scan(b, nil)
	if !ok || toks[0].kind != '{' {
		return nil, 0, false
	}
	v := int32(0)
	for _, name := range strings.Split(path, ".") {
		if name == "" {
			break
		}
		found := false
		for k := v + 1; k < toks[v].next; k = toks[k+1].next {
			if unquote(b, toks[k]) == name {
				v, found = k+1, true
				break
			}
		}
		if found && toks[v].kind == '[' && toks[v].next > v+1 {
			v++
		}
		if !found || toks[v].kind != '{' {
			return nil, 0, false
		}
	}
	return toks, v, true
}

func splice(b []byte, from, to int, s string) []byte {
	out := append([]byte{}, b[:from]...)
	out = append(out, s...)
	return append(out, b[to:]...)
}
