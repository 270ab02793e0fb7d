package storetest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

func appendAudit(t *testing.T, s store.Store, e store.AuditEntry) store.AuditEntry {
	t.Helper()
	got, err := s.AppendAudit(ctx(t), e)
	if err != nil {
		t.Fatalf("AppendAudit: %v", err)
	}
	return got
}

func testAuditLog(t *testing.T, s store.Store) {
	c := ctx(t)
	if got, err := s.AuditLog(c, store.AuditQuery{}); err != nil || len(got) != 0 {
		t.Fatalf("empty AuditLog = %v, %v", got, err)
	}
	first := appendAudit(t, s, store.AuditEntry{At: Now.Add(123 * time.Microsecond), Actor: "ops", ActorKeyID: "a1b2c3d4e5f6",
		Action: store.AuditDelete, InstallationID: "inst-00000001"})
	var ids []int64
	for i := range 5 {
		e := appendAudit(t, s, store.AuditEntry{At: Now.Add(time.Duration(i) * time.Second), Actor: store.ActorCommandLine,
			Action: store.AuditKeyCreate, KeyID: fmt.Sprintf("key%d", i), Detail: "fleet key \"sim\""})
		ids = append(ids, e.ID)
	}
	all, err := s.AuditLog(c, store.AuditQuery{})
	if err != nil || len(all) != 6 {
		t.Fatalf("AuditLog = %d entries, %v; want 6", len(all), err)
	}
	if all[0].ID != ids[4] || all[5].ID != first.ID {
		t.Fatalf("AuditLog order: ids %d…%d, want newest first", all[0].ID, all[5].ID)
	}
	if got := all[5]; got != first || !got.At.Equal(Now.Add(123*time.Microsecond)) || got.At.Location() != time.UTC {
		t.Fatalf("stored entry = %+v, want %+v", got, first)
	}
	page, err := s.AuditLog(c, store.AuditQuery{Before: ids[3], Limit: 2})
	if err != nil || len(page) != 2 || page[0].ID != ids[2] || page[1].ID != ids[1] {
		t.Fatalf("page before %d = %+v, %v", ids[3], page, err)
	}
}

func testScanTexts(t *testing.T, s store.Store) {
	c := ctx(t)
	ingest(t, s, []store.Item{Item(1, 0, 1, "1.1.0")})
	if _, err := s.Compact(c); err != nil {
		t.Fatal(err)
	}
	ingestError(t, s, ErrorItem(1, 0, 2, "fp-a", "1.1.0"))
	if err := s.CreateKey(c, store.Key{ID: "k1", Kind: store.KindAdmin, Name: "ops-team", Hash: []byte{1}, Created: Now}); err != nil {
		t.Fatal(err)
	}
	appendAudit(t, s, store.AuditEntry{At: Now, Actor: "ops-team", Action: store.AuditExport, InstallationID: "inst-00000001"})
	addFeedback(t, s, ClientFeedback(1, 2, "inst-00000001", "1.1.0", 4, "auto_rollback"))
	if _, err := s.ImportFeedback(c, []store.FeedbackItem{GitHubIssue(17, 3, "qpg")}); err != nil {
		t.Fatal(err)
	}
	ingest(t, s, []store.Item{Item(9, 0, 9, "1.1.0")})
	if _, err := s.DeleteInstallation(c, "inst-00000009"); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"reports.version": "1.1.0", "reports.metrics": `"auto_indexing"`, "reports.environment": `"linux"`,
		"error_reports.report": `connection to server at \"[host]\" failed`, "error_groups.error_type": "psycopg2.OperationalError",
		"error_groups.sqlstate": "08006", "error_groups.message": "(group fp-a)", "error_groups.culprit": "indexpilot.core:connect",
		"error_daily.version": "1.1.0", "rollups.key": "auto_indexing", "installations.installation_id": "inst-00000001",
		"keys.name": "ops-team", "audit_log.actor": "ops-team", "audit_log.installation_id": "inst-00000001", "audit_log.detail": "",
		"feedback.feedback_key": "github:https://github.com/indexpilot/indexpilot/issues/17", "feedback.version": "1.1.0",
		"feedback.message": "feedback 1: works well", "feedback.url": "https://github.com/indexpilot/indexpilot/issues/17",
		"feedback_features.feature": "auto_rollback", "erased_installations.installation_id": "inst-00000009",
	}
	for _, src := range store.TextSources {
		var texts []string
		err := s.ScanTexts(c, src, func(row, text string) error {
			if row == "" {
				t.Errorf("%s: a row without a key", src.Name())
			}
			texts = append(texts, text)
			return nil
		})
		if err != nil {
			t.Fatalf("ScanTexts(%s): %v", src.Name(), err)
		}
		w, ok := want[src.Name()]
		if !ok {
			t.Errorf("%s: no expectation in the suite; add one", src.Name())
			continue
		}
		if joined := strings.Join(texts, "\n"); len(texts) == 0 || !strings.Contains(joined, w) {
			t.Errorf("%s = %q, want a text holding %q", src.Name(), joined, w)
		}
	}
}

// RecomputeMatches fails t unless the rollups of s are what Recompute
// makes of its raw reports, bitmaps included. Rows a deletion emptied
// stay as zero rows, which Recompute drops (on the days it rebuilds), so
// only rows that count something are compared.
func RecomputeMatches(t *testing.T, s store.Store, what string) {
	t.Helper()
	after := nonEmpty(Snapshot(t, s))
	if err := s.Recompute(ctx(t)); err != nil {
		t.Fatal(err)
	}
	equalRows(t, what, nonEmpty(Snapshot(t, s)), after)
}

func nonEmpty(rows []*rollup.Row) []*rollup.Row {
	var out []*rollup.Row
	for _, r := range rows {
		if r.Reports != 0 || r.InstallsN != 0 {
			out = append(out, r)
		}
	}
	return out
}
