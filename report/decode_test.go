package report

import (
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestDecodeSeed(t *testing.T) {
	d := mustDecode(t, []byte(seed))
	want := Report{
		SchemaVersion:  1,
		InstallationID: "3f2b9c1e-5d4a-4e8b-9a7c-1b2c3d4e5f60",
		Version:        "1.1.0",
		Timestamp:      "2026-11-20T10:00:00Z",
		Metrics: Metrics{
			FeaturesUsed:              []string{"auto_indexing", "pattern_detection"},
			IndexesCreated:            42,
			QueriesAnalyzed:           10000,
			PerformanceImprovementPct: Float(30.5),
			AlgorithmUsage:            map[string]int64{"predictive_indexing": 15, "cert": 8, "qpg": 12},
		},
		Environment: Environment{PythonVersion: "3.11.0", PostgreSQLVersion: "15.0", OS: "linux", CPUCores: 8},
	}
	if !reflect.DeepEqual(d.Report, want) {
		t.Errorf("got  %+v\nwant %+v", d.Report, want)
	}
	if !d.Time.Equal(time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)) || d.Time.Location() != time.UTC {
		t.Errorf("Time = %v", d.Time)
	}
	if d.Ignored != nil {
		t.Errorf("Ignored = %q", d.Ignored)
	}
}

func TestDecodeAccepts(t *testing.T) {
	tests := []struct {
		name  string
		body  []byte
		check func(*Decoded) bool
	}{
		{"os lowercased", body(t, "environment.os", "Linux", "environment.arch", "X86_64"),
			func(d *Decoded) bool { return d.Environment.OS == "linux" && d.Environment.Arch == "x86_64" }},
		{"naive isoformat with microseconds is UTC", body(t, "timestamp", "2026-11-20T10:00:00.123456"),
			func(d *Decoded) bool {
				return d.Time.Equal(time.Date(2026, 11, 20, 10, 0, 0, 123456000, time.UTC)) && d.Timestamp == "2026-11-20T10:00:00.123456Z"
			}},
		{"naive isoformat", body(t, "timestamp", "2026-11-20T10:00:00"),
			func(d *Decoded) bool { return d.Timestamp == "2026-11-20T10:00:00Z" }},
		{"offset normalised to UTC", body(t, "timestamp", "2026-11-20T11:00:00+01:00"),
			func(d *Decoded) bool { return d.Timestamp == "2026-11-20T10:00:00Z" }},
		{"exactly one day ahead", body(t, "timestamp", now.Add(MaxFutureSkew).Format(time.RFC3339)),
			func(d *Decoded) bool { return true }},
		{"schema_version 1", body(t, "schema_version", 1), func(d *Decoded) bool { return d.SchemaVersion == 1 }},
		{"schema_version null", body(t, "schema_version", nil), func(d *Decoded) bool { return d.SchemaVersion == 1 }},
		{"report_id lowercased", body(t, "report_id", "6BA7B810-9DAD-11D1-80B4-00C04FD430C8"),
			func(d *Decoded) bool { return d.ReportID == "6ba7b810-9dad-11d1-80b4-00c04fd430c8" }},
		{"integral numbers in any notation", body(t, "metrics.indexes_created", raw("42.0"), "metrics.queries_analyzed", raw("1e3"), "metrics.algorithm_usage.cert", raw("8.0")),
			func(d *Decoded) bool {
				return d.Metrics.IndexesCreated == 42 && d.Metrics.QueriesAnalyzed == 1000 && d.Metrics.AlgorithmUsage["cert"] == 8
			}},
		{"limits inclusive", body(t, "metrics.indexes_created", MaxCount, "metrics.queries_analyzed", int64(MaxQueries),
			"metrics.performance_improvement_pct", MinImprovement, "metrics.explain_coverage_pct", 100, "environment.cpu_cores", MaxCPUCores),
			func(d *Decoded) bool { return d.Metrics.IndexesCreated == MaxCount }},
		{"optional fields null or empty", body(t, "report_id", "", "metrics.features_used", nil, "metrics.performance_improvement_pct", nil,
			"metrics.query_latency_ms", nil, "metrics.algorithm_usage.cert", nil, "environment.os", "", "environment.cpu_cores", nil),
			func(d *Decoded) bool {
				return d.Metrics.PerformanceImprovementPct == nil && d.Metrics.AlgorithmUsage["cert"] == 0 && d.Metrics.FeaturesUsed == nil
			}},
		{"empty metrics and environment", body(t, "metrics", map[string]any{}, "environment", map[string]any{}),
			func(d *Decoded) bool { return d.Metrics.IndexesCreated == 0 }},
		{"latency", body(t, "metrics.query_latency_ms", map[string]any{"p50": 1.5, "p95": 1.5, "p99": 30}),
			func(d *Decoded) bool { return *d.Metrics.QueryLatencyMS == Latency{1.5, 1.5, 30} }},
		{"duplicate features collapsed", body(t, "metrics.features_used", []string{"b", "a", "b", "a", "b"}),
			func(d *Decoded) bool { return slices.Equal(d.Metrics.FeaturesUsed, []string{"b", "a"}) }},
		{"many duplicates of few features", body(t, "metrics.features_used", slices.Repeat([]string{"a", "b"}, MaxListEntries)),
			func(d *Decoded) bool { return len(d.Metrics.FeaturesUsed) == 2 }},
		{"v2 fields kept with schema_version 2", body(t, append(v2(), "schema_version", 2)...),
			func(d *Decoded) bool {
				m := d.Metrics
				return d.SchemaVersion == 2 && d.Ignored == nil && m.TenantsBucket == "2-10" && m.AlgorithmDecisions["cert"] == 3 &&
					len(m.ABExperiments) == 2 && m.ABExperiments[1] == ABExperiment{"0123456789abcdef", "b", 90, 3.5, 1.5}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if d := mustDecode(t, tt.body); !tt.check(d) {
				t.Errorf("Decode(%s) = %+v", tt.body, d)
			}
		})
	}
}

func TestDecodeIgnoresV2FieldsBelowSchema2(t *testing.T) {
	bad := []any{"metrics.algorithm_decisions", "x", "metrics.ab_experiments", 7, "metrics.tenants_bucket", 5}
	for _, sv := range []any{del{}, 1} {
		for _, v := range [][]any{v2(), bad} {
			d := mustDecode(t, body(t, append(v, "schema_version", sv)...))
			want := []string{"metrics.ab_experiments", "metrics.algorithm_decisions", "metrics.tenants_bucket"}
			if !slices.Equal(d.Ignored, want) {
				t.Errorf("schema_version %v: Ignored = %q, want %q", sv, d.Ignored, want)
			}
			m := d.Metrics
			if m.AlgorithmDecisions != nil || m.ABExperiments != nil || m.TenantsBucket != "" {
				t.Errorf("schema_version %v: v2 fields kept: %+v", sv, m)
			}
		}
	}
}

func TestDecodeUnknownFields(t *testing.T) {
	b := body(t, append(v2(),
		"schema_version", 2,
		"zeta", 1,
		"Installation_ID", "ffffffffffff", // encoding/json would match it case-insensitively
		"hostname", "db1",
		"metrics.extra", map[string]any{"deep": 1},
		"metrics.Indexes_Created", 7,
		"metrics.query_latency_ms", map[string]any{"p50": 1, "p95": 2, "p99": 3, "p999": 4},
		"environment.hostname", "db1",
	)...)
	var m map[string]any
	json.Unmarshal(b, &m)
	ab := m["metrics"].(map[string]any)["ab_experiments"].([]any)
	ab[0].(map[string]any)["name"] = "checkout"
	ab[1].(map[string]any)["name"] = "checkout"
	b, _ = json.Marshal(m)

	d := mustDecode(t, b)
	want := []string{"Installation_ID", "environment.hostname", "hostname", "metrics.Indexes_Created",
		"metrics.ab_experiments.name", "metrics.extra", "metrics.query_latency_ms.p999", "zeta"}
	if !slices.Equal(d.Ignored, want) {
		t.Errorf("Ignored = %q\nwant      %q", d.Ignored, want)
	}
	if d.InstallationID != "3f2b9c1e-5d4a-4e8b-9a7c-1b2c3d4e5f60" || d.Metrics.IndexesCreated != 42 {
		t.Errorf("an unknown field was stored: %+v", d.Report)
	}
	out, err := json.Marshal(d.Report)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"zeta", "Installation_ID", "hostname", "Indexes_Created", "extra", "deep", "p999", "name", "checkout", "db1"} {
		if strings.Contains(string(out), s) {
			t.Errorf("re-marshalled report holds %q: %s", s, out)
		}
	}
}

func TestDecodeRejectsBody(t *testing.T) {
	valid := strings.TrimSpace(seed)
	for _, b := range []string{
		"", "   ", "null", "[]", "[" + valid + "]", `"report"`, "42", "true", "{",
		valid + " x", valid + valid, valid + " {}", valid + " null",
		valid[:len(valid)-1] + `, "pad": "` + strings.Repeat("x", MaxBodyBytes) + `"}`,
	} {
		_, err := Decode([]byte(b), now, DefaultRetention)
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != "" || fe.Rule == "" {
			t.Errorf("Decode(%.40q) = %v, want a FieldError with no field", b, err)
		}
	}
}

func TestDecodeRetention(t *testing.T) {
	old := body(t, "timestamp", now.Add(-30*24*time.Hour).Format(time.RFC3339))
	if _, err := Decode(old, now, 0); err != nil {
		t.Errorf("retention 0 should mean DefaultRetention: %v", err)
	}
	_, err := Decode(old, now, 7*24*time.Hour)
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Field != "timestamp" || !strings.Contains(fe.Rule, "7 days") {
		t.Errorf("Decode with 7-day retention = %v", err)
	}
}

func TestFieldErrorJSON(t *testing.T) {
	_, err := Decode(body(t, "metrics.indexes_created", -1), now, DefaultRetention)
	var fe *FieldError
	if !errors.As(err, &fe) {
		t.Fatalf("err = %v", err)
	}
	b, _ := json.Marshal(fe)
	if !strings.HasPrefix(string(b), `{"field":"metrics.indexes_created","rule":"must be a whole number between 0 and `) {
		t.Errorf("FieldError JSON = %s", b)
	}
	if got := fe.Error(); !strings.HasPrefix(got, "report: metrics.indexes_created: must") {
		t.Errorf("Error() = %q", got)
	}
}
