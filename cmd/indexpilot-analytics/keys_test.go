package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestKeysRevokeAsHelpWritesIt: the flags may follow the key id, as the
// help writes it, or come before it.
func TestKeysRevokeAsHelpWritesIt(t *testing.T) {
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "keys.db")
	keyID := func() string {
		out, err := exec.Command(binary(t), "keys", "create", "--kind", "admin", "--database", dsn).Output()
		if err != nil {
			t.Fatalf("keys create: %v", err)
		}
		return strings.Split(strings.TrimSpace(string(out)), "_")[1]
	}
	after, before := keyID(), keyID()
	for _, args := range [][]string{{"revoke", after, "--database", dsn}, {"revoke", "--database", dsn, before}} {
		if out, err := exec.Command(binary(t), append([]string{"keys"}, args...)...).CombinedOutput(); err != nil {
			t.Fatalf("keys %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	out, err := exec.Command(binary(t), "keys", "list", "--database", dsn).Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n")[1:] {
		if strings.HasSuffix(line, " -") {
			t.Fatalf("a key is not revoked: %s", line)
		}
	}
	if out, err := exec.Command(binary(t), "keys", "revoke", after, "extra", "--database", dsn).CombinedOutput(); err == nil {
		t.Fatalf("two ids were accepted: %s", out)
	}
}
