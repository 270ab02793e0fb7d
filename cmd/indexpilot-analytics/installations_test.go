package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/indexpilot/indexpilot-telemetry/internal/store"
	"github.com/indexpilot/indexpilot-telemetry/internal/store/storetest"
)

// TestOperatorCommands: `installations export|delete` and `keys
// create|revoke` from the command line do what the API does and each
// leaves one audit entry, by "command line", without a secret.
func TestOperatorCommands(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the real binary")
	}
	ctx := context.Background()
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "ops.db")
	st := openStore(t, dsn)
	defer st.Close()
	var items []store.Item
	for i := range 6 {
		items = append(items, storetest.Item(1+i%2, i, i, "1.1.0"))
	}
	if _, err := st.Ingest(ctx, items); err != nil {
		t.Fatal(err)
	}

	code, text, _ := runCmd(t, "keys", "create", "--kind", "admin", "--name", "alice-ops", "--database", dsn)
	keyText := strings.TrimSpace(text)
	if code != 0 || !strings.HasPrefix(keyText, "ipa_") {
		t.Fatalf("keys create: %d %q", code, text)
	}
	keyID := strings.Split(keyText, "_")[1]
	if code, out, _ := runCmd(t, "keys", "revoke", "--database", dsn, keyID); code != 0 {
		t.Fatalf("keys revoke: %d %s", code, out)
	}
	code, out, _ := runCmd(t, "installations", "export", "--id", "inst-00000001", "--database", dsn)
	var exp store.Export
	if code != 0 || json.Unmarshal([]byte(out), &exp) != nil || len(exp.Reports) != 3 || exp.ErrorReports == nil {
		t.Fatalf("installations export: %d %s", code, out)
	}
	if code, out, _ := runCmd(t, "installations", "delete", "--id", "inst-00000001", "--database", dsn); code != 0 || !strings.Contains(out, "3 reports") {
		t.Fatalf("installations delete: %d %s", code, out)
	}
	storetest.RecomputeMatches(t, st, "rollups after installations delete against recompute")
	if code, _, _ := runCmd(t, "installations", "delete", "--id", "inst-00000001", "--database", dsn); code != 1 {
		t.Fatalf("deleting it again exited %d, want 1", code)
	}
	if code, _, _ := runCmd(t, "installations", "export", "--id", "a b", "--database", dsn); code != 2 {
		t.Fatalf("a bad id exited %d, want 2", code)
	}

	entries, err := st.AuditLog(ctx, store.AuditQuery{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		if e.Actor != store.ActorCommandLine || strings.Contains(e.Detail+e.KeyID, keyText[len("ipa_")+13:]) {
			t.Errorf("entry %+v: not by the command line, or holds the key's secret", e)
		}
		got = append(got, e.Action+" "+e.InstallationID+e.KeyID+" "+e.Detail)
	}
	want := []string{"installation.delete inst-00000001 ", "installation.delete inst-00000001 ", "installation.export inst-00000001 ",
		"key.revoke " + keyID + ` admin key "alice-ops"`, "key.create " + keyID + ` admin key "alice-ops"`}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("audit log:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
