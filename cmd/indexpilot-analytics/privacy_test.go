package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/fleet"
	"github.com/indexpilot/indexpilot-telemetry/internal/pgtest"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
	"github.com/indexpilot/indexpilot-telemetry/internal/testkit"
)

// TestPlantedSecretsNeverStored sends a simulated fleet whose error
// reports are salted with planted secrets (addresses, passwords, tokens,
// e-mail addresses, telephone numbers, home paths) to the real binary on
// both backends, then checks that `privacy scan` exits 0 and that no
// planted value is anywhere in the database: the SQLite file and its WAL
// byte for byte, or pg_dump's output. A leak planted by hand afterwards
// makes the scan exit 1, so its 0 means something.
func TestPlantedSecretsNeverStored(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the real binary")
	}
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "privacy.db")
			dsn := "sqlite:" + path
			if backend == "postgres" {
				dsn = pgtest.New(t)
			}
			c := fleet.Config{Key: fleetKey(t, dsn), Installations: 20, Days: 7, Seed: 16, Concurrency: 4,
				SecretErrors: 160, Now: time.Now()}
			cmd, url := startServe(t, dsn)
			c.Target = url
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			sum, err := fleet.Run(ctx, c)
			stopServe(t, cmd)
			if err != nil || sum.ErrorReports != c.SecretErrors {
				t.Fatalf("fleet: %d of %d error reports acknowledged, err %v", sum.ErrorReports, c.SecretErrors, err)
			}
			if code, out := privacyScan(t, dsn); code != 0 || !strings.Contains(out, "nothing the scrubber would remove") {
				t.Fatalf("privacy scan exited %d:\n%s", code, out)
			}
			dump := dumpDatabase(t, backend, path, dsn)
			for _, want := range []string{"[password]", "[email]", "[phone]", "[ip]", "/home/[user]/"} {
				if !bytes.Contains(dump, []byte(want)) {
					t.Errorf("the dump has no %q: are the error reports in it?", want)
				}
			}
			planted := fleet.PlantedSecrets(c)
			for _, s := range planted {
				if bytes.Contains(dump, []byte(s)) {
					t.Errorf("planted secret %q is in the database", s)
				}
			}
			t.Logf("%d planted secrets in %d error reports, none in a %d-byte dump", len(planted), c.SecretErrors, len(dump))

			plantLeak(t, dsn, planted[0])
			if code, out := privacyScan(t, dsn); code != 1 || !strings.Contains(out, "audit_log.detail") {
				t.Fatalf("privacy scan of a leaky store exited %d:\n%s", code, out)
			}
		})
	}
}

// stopServe ends serve with SIGTERM and waits for it.
func stopServe(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	if err := testkit.Stop(cmd); err != nil {
		t.Fatalf("serve after SIGTERM: %v (want exit 0)", err)
	}
}

// privacyScan runs `privacy scan` and returns its exit code and output.
func privacyScan(t *testing.T, dsn string) (int, string) {
	t.Helper()
	code, out, _ := runCmd(t, "privacy", "scan", "--database", dsn)
	return code, out
}

// dumpDatabase returns everything the database holds: the SQLite file, its
// WAL and shared memory as bytes, or pg_dump's plain output.
func dumpDatabase(t *testing.T, backend, path, dsn string) []byte {
	t.Helper()
	if backend == "postgres" {
		out, err := exec.Command("pg_dump", "--no-owner", dsn).Output()
		if err != nil {
			t.Fatalf("pg_dump (from Debian's postgresql-client, installed with the server): %v", err)
		}
		return out
	}
	var all []byte
	for _, suffix := range []string{"", "-wal", "-shm"} {
		b, err := os.ReadFile(path + suffix)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	return all
}

// plantLeak stores a secret where nothing scrubs it: an audit entry's
// detail, written straight into the store.
func plantLeak(t *testing.T, dsn, secret string) {
	t.Helper()
	ctx := context.Background()
	st := openStore(t, dsn)
	defer st.Close()
	if _, err := st.AppendAudit(ctx, store.AuditEntry{At: time.Now(), Actor: "test", Action: "test.leak",
		Detail: "call +44 20 7946 0958 or " + secret}); err != nil {
		t.Fatal(err)
	}
}
