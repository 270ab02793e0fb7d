package privacy_test

import (
	"context"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/privacy"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
	"github.com/indexpilot/indexpilot-telemetry/internal/store/sqlite/sqlitetest"
	"github.com/indexpilot/indexpilot-telemetry/internal/store/storetest"
)

// openStore returns a migrated, empty SQLite store, closed after t.
func openStore(t *testing.T) store.Store {
	t.Helper()
	st, _ := sqlitetest.Open(t)
	return st
}

// TestScan finds what was stored around the scrubber, in plain and JSON
// columns (keys included), names where it is, and never the text itself.
func TestScan(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	clean := storetest.Item(1, 0, 1, "1.1.0")
	leaky := storetest.Item(2, 0, 2, "1.1.0")
	leaky.Report.Environment.Runtime = "CPython 3.12 /home/alice"
	leaky.Report.Metrics.Errors = map[string]int64{"AKIAIOSFODNN7EXAMPLE": 1}
	if _, err := st.Ingest(ctx, []store.Item{clean, leaky}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Compact(ctx); err != nil { // the service does it every second
		t.Fatal(err)
	}
	if _, err := st.IngestError(ctx, storetest.ErrorItem(1, 0, 3, "fp", "1.1.0")); err != nil {
		t.Fatal(err)
	}
	if _, err := st.AppendAudit(ctx, store.AuditEntry{At: time.Now(), Actor: "ops", Action: store.AuditExport,
		Detail: "asked by bob@example.com, +44 20 7946 0958"}); err != nil {
		t.Fatal(err)
	}

	res, err := privacy.Scan(ctx, st, store.TextSources)
	if err != nil {
		t.Fatal(err)
	}
	if res.Clean() || res.Sources != len(store.TextSources) || res.Texts < 20 {
		t.Fatalf("scan: %+v", res)
	}
	wantKinds := map[string]int{"user": 1, "aws-key": 3, "email": 1, "phone": 1}
	if !maps.Equal(res.Kinds, wantKinds) {
		t.Errorf("kinds = %v, want %v", res.Kinds, wantKinds)
	}
	// The error type is a key of metrics.errors and two rollup keys: the
	// error type's row and the version's errors by type.
	wantPlaces := map[string]int{"reports.environment": 1, "reports.metrics": 1, "rollups.key": 2, "audit_log.detail": 1}
	if !maps.Equal(res.Places, wantPlaces) {
		t.Errorf("places = %v, want %v", res.Places, wantPlaces)
	}
	fields := map[string]bool{}
	for _, f := range res.Findings {
		fields[f.Source+" "+f.Field] = true
		if f.Row == "" {
			t.Errorf("finding without a row: %+v", f)
		}
	}
	for _, want := range []string{"reports.environment runtime", "reports.metrics errors.AKIAIOSFODNN7EXAMPLE (key)"} {
		if !fields[want] {
			t.Errorf("no finding at %q in %v", want, fields)
		}
	}
	for _, f := range res.Findings {
		for _, secret := range []string{"alice", "AKIAIOSFODNN7EXAMPLE", "bob@example.com"} {
			if strings.Contains(f.Source+f.Row, secret) {
				t.Errorf("a finding quotes the secret %q: %+v", secret, f)
			}
		}
	}
}

func TestScanCleanStore(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	if _, err := st.Ingest(ctx, []store.Item{storetest.Item(1, 0, 1, "1.1.0")}); err != nil {
		t.Fatal(err)
	}
	res, err := privacy.Scan(ctx, st, store.TextSources)
	if err != nil || !res.Clean() || len(res.Findings) != 0 {
		t.Fatalf("clean store: %+v, %v", res, err)
	}
}
