package sqlite

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

// TestAuditLogIsAppendOnly: the schema refuses to change or remove an
// entry, whoever asks.
func TestAuditLogIsAppendOnly(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	e, err := s.AppendAudit(ctx, store.AuditEntry{At: time.Now(), Actor: "ops", Action: store.AuditDelete, InstallationID: "inst-1"})
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`UPDATE audit_log SET actor = 'someone else' WHERE id = ?`, `DELETE FROM audit_log WHERE id = ?`} {
		if _, err := s.db.ExecContext(ctx, q, e.ID); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: err = %v, want the append-only refusal", q, err)
		}
	}
	if got, err := s.AuditLog(ctx, store.AuditQuery{}); err != nil || len(got) != 1 || got[0].Actor != "ops" {
		t.Fatalf("after the attempts: %+v, %v", got, err)
	}
}

// openTemp opens a fresh, migrated store in a temporary folder of tb,
// closed when tb ends.
func openTemp(tb testing.TB) *Store {
	tb.Helper()
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(tb.TempDir(), "test.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	if err := s.Migrate(ctx); err != nil {
		tb.Fatal(err)
	}
	return s
}
