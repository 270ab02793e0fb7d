package main

import (
	"context"
	"fmt"
	"log/slog"
	"slices"

	"github.com/indexpilot/indexpilot-telemetry/internal/database"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

// onStoreUntilSignal runs fn until a signal, as untilSignal does, on the
// store at dsn and with a logger at level on stderr.
func (c cli) onStoreUntilSignal(name, dsn string, level slog.Level, fn func(context.Context, store.Store, *slog.Logger) error) int {
	return c.untilSignal(name, func(ctx context.Context) error {
		st, err := database.Open(ctx, dsn)
		if err != nil {
			return err
		}
		defer st.Close()
		return fn(ctx, st, slog.New(slog.NewTextHandler(c.err, &slog.HandlerOptions{Level: level})))
	})
}

// helpFor prints a command's help when args name none of its subcommands
// verbs (with no verbs, when args are empty or ask for help): after -h,
// which asks for it, the command exits 0, else with the usage code. shown
// is false when args go on to a subcommand.
func (c cli) helpFor(help string, args []string, verbs ...string) (code int, shown bool) {
	asked := len(args) > 0 && (args[0] == "-h" || args[0] == "--help")
	if len(args) > 0 && !asked && (len(verbs) == 0 || slices.Contains(verbs, args[0])) {
		return exitOK, false
	}
	fmt.Fprintln(c.err, help)
	if asked {
		return exitOK, true
	}
	return exitUsage, true
}
