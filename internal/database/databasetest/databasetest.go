// Package databasetest opens a real store for tests in other packages, as
// the service's --database flag would. It is for tests only.
package databasetest

import (
	"context"
	"testing"

	"github.com/indexpilot/indexpilot-telemetry/internal/database"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

// Open opens and migrates the store dsn names ("sqlite:PATH" or a
// postgres:// URL), and closes it when t ends: after whatever the test
// registers later (a server or batcher over it) has stopped.
func Open(t testing.TB, dsn string) store.Store {
	t.Helper()
	st, err := database.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}
