package store

import (
	"context"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"
)

// Migration is one numbered change of a backend's schema: a file
// migrations/NNN_what.sql, applied once, in version order, and recorded.
type Migration struct {
	Version int
	Name    string // the file's name
	SQL     string
}

// Migrations returns the migrations of a backend's embedded files (its
// migrations directory), in version order; gaps in the numbers are
// allowed, a name that does not start with one is an error.
func Migrations(files fs.FS) ([]Migration, error) {
	entries, err := fs.ReadDir(files, "migrations")
	if err != nil {
		return nil, fmt.Errorf("store: read migrations: %w", err)
	}
	var out []Migration
	for _, e := range entries {
		version, err := strconv.Atoi(strings.SplitN(e.Name(), "_", 2)[0])
		if err != nil {
			return nil, fmt.Errorf("store: migration %s: name must start with a number", e.Name())
		}
		body, err := fs.ReadFile(files, "migrations/"+e.Name())
		if err != nil {
			return nil, fmt.Errorf("store: read migration %s: %w", e.Name(), err)
		}
		out = append(out, Migration{Version: version, Name: e.Name(), SQL: string(body)})
	}
	slices.SortFunc(out, func(a, b Migration) int { return a.Version - b.Version })
	return out, nil
}

// ApplyMigrations calls apply with each migration of files, in version
// order, and stops at the first error: a backend's Migrate, with apply
// its way of applying one migration once.
func ApplyMigrations(ctx context.Context, files fs.FS, apply func(context.Context, Migration) error) error {
	ms, err := Migrations(files)
	if err != nil {
		return err
	}
	for _, m := range ms {
		if err := apply(ctx, m); err != nil {
			return err
		}
	}
	return nil
}
