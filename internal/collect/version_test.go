package collect

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"testing"
)

func TestAnonymize(t *testing.T) {
	a := Anonymize(testSalt, "exp_secret_pricing")
	if !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(a) {
		t.Errorf("Anonymize = %q, want 32 hex digits", a)
	}
	if a != Anonymize(testSalt, "exp_secret_pricing") {
		t.Error("Anonymize is not stable")
	}
	if a == Anonymize(testSalt, "exp_secret_checkout") || a == Anonymize([]byte("another-installation-salt-000000"), "exp_secret_pricing") {
		t.Error("Anonymize does not depend on both name and salt")
	}
	// The well-known HMAC-SHA-256("key", "The quick brown fox…") vector, truncated.
	if got := Anonymize([]byte("key"), "The quick brown fox jumps over the lazy dog"); got != "f7bc83f430538424b13298e6aa6fb143" {
		t.Errorf("Anonymize vector = %s", got)
	}
	s1, err1 := NewSalt()
	s2, err2 := NewSalt()
	if err1 != nil || err2 != nil || len(s1) < MinSaltBytes || string(s1) == string(s2) {
		t.Errorf("NewSalt = %x, %x (%v, %v)", s1, s2, err1, err2)
	}
}

func TestTenantsBucket(t *testing.T) {
	for n, want := range map[int64]string{0: "", 1: "1", 2: "2-10", 10: "2-10", 11: "11-100", 100: "11-100", 101: "101-1000", 1000: "101-1000", 1001: ">1000"} {
		if got := tenantsBucket(n); got != want {
			t.Errorf("tenantsBucket(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestPostgresVersion(t *testing.T) {
	for in, want := range map[string]string{"15.19 (Debian 15.19-0+deb12u1)": "15.19", "17.2": "17.2", "18beta1": "18", "": ""} {
		if got := postgresVersion(in); got != want {
			t.Errorf("postgresVersion(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestIndexPilotVersion(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the fake indexpilot command is a shell script")
	}
	dir := t.TempDir()
	script := "#!/bin/sh\necho 'IndexPilot, version 1.1.0a8 (Python 3.12)'\n"
	if err := os.WriteFile(filepath.Join(dir, "indexpilot"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)
	env := func(v string) func(string) string { return func(string) string { return v } }
	ctx := context.Background()
	for _, c := range []struct {
		name, explicit, env, want string
		note                      bool
	}{
		{"explicit wins", "1.2.0", "1.0.0", "1.2.0", false},
		{"environment", "", "1.0.0rc1", "1.0.0rc1", false},
		{"command on PATH", "", "", "1.1.0a8", false},
		{"free text is refused", "", "my secret build!", UnknownVersion, true},
	} {
		got, note := indexPilotVersion(ctx, c.explicit, env(c.env))
		if got != c.want || (note != "") != c.note {
			t.Errorf("%s: %q, note %q", c.name, got, note)
		}
	}
	t.Setenv("PATH", t.TempDir())
	if got, _ := indexPilotVersion(ctx, "", env("")); got != UnknownVersion {
		t.Errorf("no command: %q", got)
	}
}
