package collect

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/indexpilot/indexpilot-telemetry/report"
)

var testSalt = []byte("a-test-salt-of-32-bytes-exactly!")

// testConfig is an indexpilot_config.yaml in IndexPilot's shape, including
// the repeated features.auto_indexer key of IndexPilot's shipped file.
const testConfig = `
bypass:
  features:
    auto_indexing: {enabled: true, reason: "secret reason"}
    stats_collection: {enabled: true}
    expression_checks: {enabled: false}
    mutation_logging: {enabled: yes}
features:
  auto_indexer:
    mode: advisory
  predictive_indexing: {enabled: true}
  qpg: {enabled: true}
  cortex: {enabled: false}
  approval_workflow: {enabled: true}
  auto_indexer:
    mode: "apply"
telemetry:
  enabled: true
`

var testFeatures = []string{"approval_workflow", "auto_indexer_mode_apply", "auto_indexing", "mutation_logging", "predictive_indexing", "qpg", "stats_collection"}

func testOptions(t *testing.T, url string, now time.Time) Options {
	t.Helper()
	path := filepath.Join(t.TempDir(), "indexpilot_config.yaml")
	if err := os.WriteFile(path, []byte(testConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	return Options{
		DatabaseURL: url,
		ConfigPath:  path,
		Version:     "1.1.0a8",
		Salt:        testSalt,
		Now:         func() time.Time { return now },
		Getenv:      func(string) string { return "" },
	}
}

func collect(t *testing.T, o Options) *Result {
	t.Helper()
	res, err := Collect(context.Background(), o)
	if err != nil {
		t.Fatalf("Collect: %v", err)
	}
	return res
}

// TestCollectMatchesDirectSQL checks every metric against a query written
// independently of the collector's: by created_at, on whole rows.
func TestCollectMatchesDirectSQL(t *testing.T) {
	url := newIndexPilotDB(t, testSize)
	conn := connect(t, url)
	now := time.Now()
	res := collect(t, testOptions(t, url, now))

	if len(res.Notes) > 0 {
		t.Errorf("notes on a complete database: %q", res.Notes)
	}
	if res.Version != "1.1.0a8" {
		t.Errorf("version = %q", res.Version)
	}
	if !slices.Equal(res.Metrics.FeaturesUsed, testFeatures) {
		t.Errorf("features = %q, want %q", res.Metrics.FeaturesUsed, testFeatures)
	}
	since := now.Add(-DefaultPeriod)
	if !res.Since.Equal(since) || !res.Cursor.Until.Equal(now) {
		t.Errorf("period = %v to %v, want %v to %v", res.Since, res.Cursor.Until, since, now)
	}
	checkMetrics(t, conn, res.Metrics, since)
	checkEnvironment(t, conn, res.Environment)
	checkCursor(t, conn, res.Cursor)
	checkNoSecrets(t, res)
	checkValidReport(t, res)
}

// TestCollectWithCursor checks that a second collection with the returned
// cursor counts only the rows written since the first.
func TestCollectWithCursor(t *testing.T) {
	url := newIndexPilotDB(t, testSize)
	conn := connect(t, url)
	first := collect(t, testOptions(t, url, time.Now()))
	time.Sleep(10 * time.Millisecond) // new rows strictly after first.Cursor.Until
	appendRows(t, conn, 300)

	o := testOptions(t, url, time.Now())
	o.Cursor = first.Cursor
	second := collect(t, o)
	if second.Metrics.QueriesAnalyzed != 300 {
		t.Errorf("queries_analyzed after 300 new rows = %d", second.Metrics.QueriesAnalyzed)
	}
	if !second.Since.Equal(first.Cursor.Until) {
		t.Errorf("since = %v, want the previous until %v", second.Since, first.Cursor.Until)
	}
	checkMetrics(t, conn, second.Metrics, first.Cursor.Until)
	checkCursor(t, conn, second.Cursor)
}

// TestCollectCursorPastTable checks that a cursor beyond a table's newest
// id (the table was emptied and refilled) falls back to reading by time.
func TestCollectCursorPastTable(t *testing.T) {
	url := newIndexPilotDB(t, testSize)
	conn := connect(t, url)
	now := time.Now()
	o := testOptions(t, url, now)
	since := now.Add(-3 * 24 * time.Hour)
	o.Cursor = Cursor{Until: since, QueryStatsID: 1 << 40}
	res := collect(t, o)
	var want int64
	query(t, conn, `SELECT count(*) FROM query_stats WHERE created_at >= $1::timestamptz`, []any{since}, &want)
	if res.Metrics.QueriesAnalyzed != want || want == 0 {
		t.Errorf("queries_analyzed = %d, want %d", res.Metrics.QueriesAnalyzed, want)
	}
}

func query(t *testing.T, conn *pgx.Conn, sql string, args []any, dest ...any) {
	t.Helper()
	if err := conn.QueryRow(context.Background(), sql, args...).Scan(dest...); err != nil {
		t.Fatalf("query %.60q: %v", sql, err)
	}
}

func checkMetrics(t *testing.T, conn *pgx.Conn, got report.Metrics, since time.Time) {
	t.Helper()
	want := directMetrics(t, conn, since)
	if got.QueriesAnalyzed == 0 || got.IndexesCreated == 0 || got.IndexesRecommended == 0 {
		t.Errorf("fixture too small: %+v", got)
	}
	for _, c := range []struct {
		name      string
		got, want int64
	}{
		{"queries_analyzed", got.QueriesAnalyzed, want.QueriesAnalyzed},
		{"indexes_created", got.IndexesCreated, want.IndexesCreated},
		{"indexes_recommended", got.IndexesRecommended, want.IndexesRecommended},
	} {
		if c.got != c.want {
			t.Errorf("%s = %d, want %d", c.name, c.got, c.want)
		}
	}
	if got.PerformanceImprovementPct == nil || !near(*got.PerformanceImprovementPct, *want.PerformanceImprovementPct) {
		t.Errorf("performance_improvement_pct = %v, want %v", got.PerformanceImprovementPct, *want.PerformanceImprovementPct)
	}
	if l, w := got.QueryLatencyMS, want.QueryLatencyMS; l == nil || !near(l.P50, w.P50) || !near(l.P95, w.P95) || !near(l.P99, w.P99) {
		t.Errorf("query_latency_ms = %+v, want %+v", l, w)
	}
	for _, c := range []struct {
		name      string
		got, want map[string]int64
	}{
		{"algorithm_usage", got.AlgorithmUsage, want.AlgorithmUsage},
		{"algorithm_decisions", got.AlgorithmDecisions, want.AlgorithmDecisions},
		{"errors", got.Errors, want.Errors},
	} {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	checkAB(t, got.ABExperiments, want.ABExperiments)
	if got.TenantsBucket != want.TenantsBucket {
		t.Errorf("tenants_bucket = %q, want %q", got.TenantsBucket, want.TenantsBucket)
	}
}

func checkAB(t *testing.T, got, want []report.ABExperiment) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("ab_experiments = %+v, want %+v", got, want)
	}
	index := map[[2]string]report.ABExperiment{}
	for _, w := range want {
		index[[2]string{w.Experiment, w.Variant}] = w
	}
	for _, g := range got {
		w, ok := index[[2]string{g.Experiment, g.Variant}]
		if !ok || g.N != w.N || !near(g.MeanMS, w.MeanMS) || !near(g.VarianceMS, w.VarianceMS) {
			t.Errorf("ab_experiments entry %+v, want %+v", g, w)
		}
	}
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

func checkEnvironment(t *testing.T, conn *pgx.Conn, env report.Environment) {
	t.Helper()
	var num int
	query(t, conn, `SELECT current_setting('server_version_num')::int`, nil, &num)
	if want := fmt.Sprintf("%d.%d", num/10000, num%10000); env.PostgreSQLVersion != want {
		t.Errorf("postgresql_version = %q, want %q", env.PostgreSQLVersion, want)
	}
	if env.OS == "" || env.Arch == "" || env.CPUCores < 1 || !strings.HasSuffix(env.Runtime, " indexpilot-telemetry") {
		t.Errorf("environment = %+v", env)
	}
}

func checkCursor(t *testing.T, conn *pgx.Conn, c Cursor) {
	t.Helper()
	var want Cursor
	query(t, conn, `SELECT (SELECT max(id) FROM query_stats), (SELECT max(id) FROM mutation_log),
		(SELECT max(id) FROM algorithm_usage), (SELECT max(id) FROM ab_experiment_results)`, nil,
		&want.QueryStatsID, &want.MutationLogID, &want.AlgorithmUsageID, &want.ABResultsID)
	want.Until = c.Until
	if c != want {
		t.Errorf("cursor = %+v, want %+v", c, want)
	}
}

// checkNoSecrets looks for every planted value in the result's bytes.
func checkNoSecrets(t *testing.T, res *Result) {
	t.Helper()
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	s := strings.ToLower(string(b))
	for _, planted := range []string{"secret", "customers", "acme", plantedIP, plantedUserID, "cfo", "confidential", "create index", "idx_", "b-secret", "ssn", "email"} {
		if strings.Contains(s, planted) {
			t.Errorf("result holds planted %q: %s", planted, b)
		}
	}
}

// checkValidReport checks that the server would accept the metrics.
func checkValidReport(t *testing.T, res *Result) {
	t.Helper()
	r := report.Report{SchemaVersion: report.CurrentSchema, InstallationID: "install-test-0001", Version: res.Version,
		Timestamp: time.Now().UTC().Format(time.RFC3339), Metrics: res.Metrics, Environment: res.Environment}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := report.Decode(b, time.Now(), report.DefaultRetention); err != nil {
		t.Errorf("report.Decode rejects the collected report: %v\n%s", err, b)
	}
}
