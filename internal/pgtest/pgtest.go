// Package pgtest gives tests a fresh PostgreSQL database of their own,
// created on the server named by INDEXPILOT_TEST_POSTGRES and dropped when
// the test ends.
//
// Outside CI a missing server skips the test; in CI (CI set) or with
// INDEXPILOT_TEST_REQUIRE_POSTGRES=1 it fails it, so that a PostgreSQL
// suite can never pass by silently skipping.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// DefaultURL is used when INDEXPILOT_TEST_POSTGRES is not set: the local
// server with trust authentication that the development machines run.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// New creates an empty database and returns its connection URL. The
// database is dropped (with any connections to it) when t finishes.
func New(t testing.TB) string {
	t.Helper()
	admin := os.Getenv("INDEXPILOT_TEST_POSTGRES")
	if admin == "" {
		admin = DefaultURL
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		if os.Getenv("CI") != "" || os.Getenv("INDEXPILOT_TEST_REQUIRE_POSTGRES") == "1" {
			t.Fatalf("pgtest: PostgreSQL is required here but unreachable at %s: %v", redact(admin), err)
		}
		t.Skipf("pgtest: no PostgreSQL at %s (set INDEXPILOT_TEST_POSTGRES): %v", redact(admin), err)
	}
	defer conn.Close(ctx)

	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	name := "ipt_test_" + hex.EncodeToString(b[:])
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	t.Cleanup(func() { drop(t, admin, name) })

	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("pgtest: parse %s: %v", redact(admin), err)
	}
	u.Path = "/" + name
	return u.String()
}

func drop(t testing.TB, admin, name string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Errorf("pgtest: connect to drop %s: %v", name, err)
		return
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
		t.Errorf("pgtest: drop %s: %v", name, err)
	}
}

func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable URL)"
	}
	return u.Redacted()
}
