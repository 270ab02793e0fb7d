package postgres

import (
	"strings"
	"testing"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

// TestAuditLogIsAppendOnly: the schema refuses to change or remove an
// entry, whoever asks, TRUNCATE included.
func TestAuditLogIsAppendOnly(t *testing.T) {
	s := open(t, nil)
	e, err := s.AppendAudit(ctx(t), store.AuditEntry{At: time.Now(), Actor: "ops", Action: store.AuditDelete, InstallationID: "inst-1"})
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`UPDATE audit_log SET actor = 'someone else' WHERE id = $1`, `DELETE FROM audit_log WHERE id = $1`, `TRUNCATE audit_log`} {
		var args []any
		if strings.Contains(q, "$1") {
			args = append(args, e.ID)
		}
		if _, err := s.pool.Exec(ctx(t), q, args...); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: err = %v, want the append-only refusal", q, err)
		}
	}
	if got, err := s.AuditLog(ctx(t), store.AuditQuery{}); err != nil || len(got) != 1 || got[0].Actor != "ops" {
		t.Fatalf("after the attempts: %+v, %v", got, err)
	}
}
