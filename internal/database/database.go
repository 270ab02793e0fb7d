// Package database opens the store a --database value names:
// "sqlite:PATH" (the embedded default) or a postgres:// URL.
package database

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/indexpilot/indexpilot-telemetry/internal/store"
	"github.com/indexpilot/indexpilot-telemetry/internal/store/postgres"
	"github.com/indexpilot/indexpilot-telemetry/internal/store/sqlite"
)

// Default is the embedded store used when nothing else is configured.
const Default = "sqlite:./data/analytics.db"

// Open opens and migrates the store named by dsn.
func Open(ctx context.Context, dsn string) (store.Store, error) {
	s, err := open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	if err := s.Migrate(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("database: migrate %s: %w", Redact(dsn), err)
	}
	return s, nil
}

func open(ctx context.Context, dsn string) (store.Store, error) {
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		path := strings.TrimPrefix(dsn, "sqlite:")
		if path == "" {
			return nil, fmt.Errorf("database: sqlite: needs a file path, e.g. %s", Default)
		}
		return sqlite.Open(ctx, path)
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		return postgres.Open(ctx, dsn)
	}
	return nil, fmt.Errorf("database: %q is neither sqlite:PATH nor a postgres:// URL", Redact(dsn))
}

// Redact hides a password in a database URL, for messages and logs.
func Redact(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		return u.Redacted()
	}
	return dsn
}
