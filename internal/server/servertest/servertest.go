// Package servertest runs the real analytics service for tests in other
// packages: the real ingest batcher and the real handlers over a real
// store, on loopback. It is for tests only and never mocks what runs.
package servertest

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/auth"
	"github.com/indexpilot/indexpilot-telemetry/internal/ingest"
	"github.com/indexpilot/indexpilot-telemetry/internal/server"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
	"github.com/indexpilot/indexpilot-telemetry/internal/store/sqlite/sqlitetest"
)

// Options adjust the service a test runs. The zero value is the default
// configuration, logging nowhere, on the wall clock.
type Options struct {
	Config   func(*server.Config) // changes the default configuration
	Log      io.Writer            // where the service logs; nil: nowhere
	LogLevel slog.Level           // the lowest level logged
	Now      func() time.Time     // the service's clock; nil: time.Now
	Ingest   ingest.Config        // the batcher's; the zero value is its default
}

// New builds the service over st with the real ingest batcher, which is
// closed when t ends (before a store opened earlier in the test).
func New(t testing.TB, st store.Store, o Options) *server.Server {
	t.Helper()
	cfg := server.DefaultConfig()
	if o.Config != nil {
		o.Config(&cfg)
	}
	logs := o.Log
	if logs == nil {
		logs = io.Discard
	}
	m := server.NewMetrics()
	b := ingest.New(st, o.Ingest, m)
	t.Cleanup(b.Close)
	srv, err := server.New(cfg, st, b, m, slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: o.LogLevel})), o.Now)
	if err != nil {
		t.Fatal(err)
	}
	return srv
}

// Serve serves h on loopback until t ends and returns its URL.
func Serve(t testing.TB, h http.Handler) string {
	t.Helper()
	hs := httptest.NewServer(h)
	t.Cleanup(hs.Close)
	return hs.URL
}

// Start serves the service over a fresh SQLite store and returns its
// URL and the store.
func Start(t testing.TB, o Options) (string, store.Store) {
	t.Helper()
	st, _ := sqlitetest.Open(t)
	return Serve(t, New(t, st, o).Handler()), st
}

// FleetKey creates a fleet key called name in st and returns its text.
func FleetKey(t testing.TB, st store.Store, name string) string {
	t.Helper()
	text, sec, err := auth.New(auth.PrefixFleet)
	if err != nil {
		t.Fatal(err)
	}
	key := store.Key{ID: sec.ID, Kind: store.KindFleet, Name: name, Hash: sec.Hash(), Created: time.Now()}
	if err := st.CreateKey(context.Background(), key); err != nil {
		t.Fatal(err)
	}
	return text
}
