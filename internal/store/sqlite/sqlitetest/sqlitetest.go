// Package sqlitetest gives tests in other packages a real store: a fresh,
// migrated SQLite file of their own. It is for tests only.
package sqlitetest

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/indexpilot/indexpilot-telemetry/internal/store"
	"github.com/indexpilot/indexpilot-telemetry/internal/store/sqlite"
)

// Open opens a fresh, migrated SQLite store in a temporary folder of t
// and returns it with its file; it is closed when t ends.
func Open(t testing.TB) (store.Store, string) {
	t.Helper()
	ctx := context.Background()
	file := filepath.Join(t.TempDir(), "analytics.db")
	st, err := sqlite.Open(ctx, file)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return st, file
}
