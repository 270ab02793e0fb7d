package client

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/report"
)

func TestReadFileSettings(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       fileSettings
		err        string
	}{
		{name: "the first client's section", yaml: "telemetry:\n  enabled: false\n  collect_usage_stats: true\n  collect_error_reports: false\n  collect_performance_metrics: true\n  anonymize_data: true\n  endpoint: \"https://analytics.example/telemetry\"\n",
			want: fileSettings{Enabled: ptr(false), CollectUsageStats: ptr(true), CollectErrorReports: ptr(false),
				CollectPerformanceMetrics: ptr(true), AnonymizeData: ptr(true), Endpoint: ptr("https://analytics.example/telemetry")}},
		{name: "no section", yaml: "features:\n  auto_indexer:\n    enabled: true\n"},
		{name: "empty file", yaml: ""},
		{name: "repeated keys: the last wins, as in PyYAML", yaml: "features:\n  a: 1\n  a: 2\ntelemetry:\n  enabled: true\n  enabled: false\n",
			want: fileSettings{Enabled: ptr(false)}},
		{name: "empty endpoint is the default", yaml: "telemetry:\n  endpoint: \"\"\n"},
		{name: "not YAML", yaml: "telemetry: [\n", err: "is not valid YAML"},
		{name: "not a bool", yaml: "telemetry:\n  enabled: maybe\n", err: "telemetry.enabled to \"maybe\" at line 2"},
		{name: "section not a mapping", yaml: "telemetry: true\n", err: "not a mapping"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "indexpilot_config.yaml")
			os.WriteFile(path, []byte(tt.yaml), 0o600)
			var got fileSettings
			found, err := readFileSettings(path, &got)
			if tt.err != "" {
				var ce *ConfigError
				if !errors.As(err, &ce) || !strings.Contains(err.Error(), tt.err) || !strings.Contains(err.Error(), path) {
					t.Fatalf("err %v, want a ConfigError naming %s and %q", err, path, tt.err)
				}
				return
			}
			if err != nil || !found || fmt.Sprint(deref(got)) != fmt.Sprint(deref(tt.want)) {
				t.Fatalf("got %v (found %v, err %v), want %v", deref(got), found, err, deref(tt.want))
			}
		})
	}
	if found, err := readFileSettings(filepath.Join(t.TempDir(), "missing.yaml"), &fileSettings{}); found || err != nil {
		t.Fatalf("a missing file: found %v, err %v", found, err)
	}
}

func TestEndpoint(t *testing.T) {
	for _, tt := range []struct{ in, want, err string }{
		{in: "https://telemetry.example", want: "https://telemetry.example"},
		{in: "https://telemetry.example/", want: "https://telemetry.example"},
		{in: "https://analytics.example/telemetry", want: "https://analytics.example"},
		{in: "http://127.0.0.1:8080/api/v1/telemetry", want: "http://127.0.0.1:8080"},
		{in: "https://example.org/prefix", want: "https://example.org/prefix"},
		{in: "ftp://example.org", err: "not an http or https URL"},
		{in: "example.org", err: "not an http or https URL"},
		{in: "https://", err: "names no host"},
		{in: "https://user:pw@example.org", err: "credentials"},
	} {
		got, err := normalizeEndpoint(tt.in)
		if got != tt.want || (err == nil) != (tt.err == "") || (err != nil && !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("normalizeEndpoint(%q) = %q, %v; want %q, %q", tt.in, got, err, tt.want, tt.err)
		}
	}
	s, err := resolve(mapEnv{"INDEXPILOT_TELEMETRY_ENDPOINT": "ftp://x", "INDEXPILOT_TELEMETRY_ENABLED": "true",
		"INDEXPILOT_CONFIG_FILE": "/nonexistent"}.get, t.TempDir(), &state{})
	var ce *ConfigError
	if !errors.As(err, &ce) || s.mode != Off || !strings.Contains(ce.Problem, "INDEXPILOT_TELEMETRY_ENDPOINT") {
		t.Fatalf("a bad endpoint: mode %s, err %v", s.mode, err)
	}
}

func TestEnvWords(t *testing.T) {
	for v, want := range map[string]Mode{"": Off, "true": On, "TRUE": On, "1": On, "yes": On, "false": Off, "0": Off} {
		s, err := resolve(mapEnv{"INDEXPILOT_TELEMETRY_ENABLED": v, "INDEXPILOT_CONFIG_FILE": "/nonexistent"}.get, "", &state{})
		if err != nil || s.mode != want {
			t.Errorf("INDEXPILOT_TELEMETRY_ENABLED=%q: %s, %v; want %s", v, s.mode, err, want)
		}
	}
	if _, err := resolve(mapEnv{"INDEXPILOT_TELEMETRY_ENABLED": "maybe", "INDEXPILOT_CONFIG_FILE": "/nonexistent"}.get, "", &state{}); err == nil {
		t.Error("INDEXPILOT_TELEMETRY_ENABLED=maybe was accepted")
	}
	for v, off := range map[string]bool{"1": true, "true": true, "anything": true, "0": false, "false": false, "": false} {
		s, _ := resolve(mapEnv{"DO_NOT_TRACK": v, "INDEXPILOT_TELEMETRY_ENABLED": "true", "INDEXPILOT_CONFIG_FILE": "/nonexistent"}.get, "", &state{})
		if (s.mode == Off) != off {
			t.Errorf("DO_NOT_TRACK=%q: %s", v, s.mode)
		}
	}
	if _, err := ParseMode("sometimes"); err == nil {
		t.Error("an unknown mode word was accepted")
	}
}

func TestStateDir(t *testing.T) {
	home := func() (string, error) { return "/home/fallback", nil }
	for _, tt := range []struct {
		env  mapEnv
		want string
	}{
		{mapEnv{"XDG_STATE_HOME": "/x", "HOME": "/h"}, "/x/indexpilot/telemetry"},
		{mapEnv{"XDG_STATE_HOME": "relative", "HOME": "/h"}, "/h/.local/state/indexpilot/telemetry"},
		{mapEnv{}, "/home/fallback/.local/state/indexpilot/telemetry"},
	} {
		if got, err := stateDirFromEnv(tt.env.get, home); err != nil || got != tt.want {
			t.Errorf("%v: %q, %v; want %q", tt.env, got, err, tt.want)
		}
	}
}

func TestSpoolBounds(t *testing.T) {
	b := box{filepath.Join(t.TempDir(), spoolDir)}
	start := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	dropped := 0
	for i := range maxReports + 5 {
		n, err := b.add(reportName(start.Add(time.Duration(i)*time.Second), fmt.Sprintf("id-%03d", i)), []byte("{}\n"))
		if err != nil {
			t.Fatal(err)
		}
		dropped += n
	}
	es, _ := b.list()
	if len(es) != maxReports || dropped != 5 || es[0].id != "id-005" {
		t.Fatalf("%d kept, %d dropped, oldest %s; want %d, 5, id-005", len(es), dropped, es[0].id, maxReports)
	}
	big := bytes.Repeat([]byte("x"), maxReportBytes/3)
	for i := range 4 {
		if _, err := b.add(reportName(start.Add(time.Hour+time.Duration(i)*time.Second), fmt.Sprintf("big-%d", i)), big); err != nil {
			t.Fatal(err)
		}
	}
	es, _ = b.list()
	var total int64
	for _, e := range es {
		total += e.size
	}
	if total > maxReportBytes || es[len(es)-1].id != "big-3" {
		t.Fatalf("%d bytes kept, newest %s", total, es[len(es)-1].id)
	}
}

func TestEncodeHoldsBackNewerFields(t *testing.T) {
	r := report.Report{ReportID: "6ba7b810-9dad-41d1-80b4-00c04fd430c8", InstallationID: placeholderID, Version: "1.0",
		Timestamp: "2026-11-20T10:00:00Z", Metrics: report.Metrics{IndexesCreated: 1, TenantsBucket: ">1000",
			AlgorithmDecisions: map[string]int64{"cert": 1}, ABExperiments: []report.ABExperiment{{Experiment: "0123456789abcdef", Variant: "a"}}}}
	data, held, err := encode(r, 1)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(held, []string{"metrics.ab_experiments", "metrics.algorithm_decisions", "metrics.tenants_bucket"}) {
		t.Fatalf("held %v", held)
	}
	want := `{
  "schema_version": 1,
  "report_id": "6ba7b810-9dad-41d1-80b4-00c04fd430c8",
  "installation_id": "not-registered-yet",
  "version": "1.0",
  "timestamp": "2026-11-20T10:00:00Z",
  "metrics": {
    "indexes_created": 1
  },
  "environment": {}
}
`
	if string(data) != want {
		t.Fatalf("encoded:\n%s\nwant:\n%s", data, want)
	}
	data, held, err = encode(r, 2)
	if err != nil || len(held) != 0 || !bytes.Contains(data, []byte(`"tenants_bucket": ">1000"`)) {
		t.Fatalf("consent 2: %v, held %v\n%s", err, held, data)
	}
	bound, err := rebind(data, "abcdefgh-1234")
	if err != nil || !bytes.Equal(bound, bytes.Replace(data, []byte(placeholderID), []byte("abcdefgh-1234"), 1)) {
		t.Fatalf("rebind changed more than the id: %v\n%s", err, bound)
	}
	d, err := diff(r, 1)
	if err != nil || bytes.Contains(d, []byte("indexes_created")) || !bytes.Contains(d, []byte("ab_experiments")) {
		t.Fatalf("diff: %v\n%s", err, d)
	}
}

func TestApplyToggles(t *testing.T) {
	var s settings
	s.file.CollectUsageStats, s.file.CollectPerformanceMetrics, s.file.CollectErrorReports = ptr(false), ptr(false), ptr(false)
	m := report.Metrics{FeaturesUsed: []string{"a"}, AlgorithmUsage: map[string]int64{"a": 1}, IndexesCreated: 2,
		QueryLatencyMS: &report.Latency{P50: 1, P95: 1, P99: 1}, Errors: map[string]int64{"E": 1}, TenantsBucket: "1"}
	applyToggles(&m, &s)
	if m.FeaturesUsed != nil || m.AlgorithmUsage != nil || m.QueryLatencyMS != nil || m.Errors != nil || m.TenantsBucket != "" || m.IndexesCreated != 2 {
		t.Fatalf("after toggles: %+v", m)
	}
}

func TestRetryAfterHeader(t *testing.T) {
	now := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	for h, want := range map[string]time.Duration{
		"": 0, "7": 7 * time.Second, "garbage": 0, "-1": 0,
		now.Add(90 * time.Second).Format(http.TimeFormat): 90 * time.Second,
	} {
		if got := retryAfter(h, now); got != want {
			t.Errorf("retryAfter(%q) = %s, want %s", h, got, want)
		}
	}
}

func TestBackoffIsBoundedWithJitter(t *testing.T) {
	a := &api{policy: defaultPolicy}
	seen := map[time.Duration]bool{}
	for attempt := 1; attempt < 40; attempt++ {
		d := a.backoff(attempt)
		if d < 0 || d > defaultPolicy.most {
			t.Fatalf("backoff(%d) = %s", attempt, d)
		}
		seen[d] = true
	}
	if len(seen) < 10 {
		t.Fatal("backoff has no jitter")
	}
}

type mapEnv map[string]string

func (m mapEnv) get(k string) string { return m[k] }

func ptr[T any](v T) *T { return &v }

func deref(f fileSettings) []any {
	var out []any
	for _, b := range []*bool{f.Enabled, f.CollectUsageStats, f.CollectErrorReports, f.CollectPerformanceMetrics, f.AnonymizeData} {
		if b == nil {
			out = append(out, nil)
		} else {
			out = append(out, *b)
		}
	}
	if f.Endpoint != nil {
		out = append(out, *f.Endpoint)
	}
	return out
}
