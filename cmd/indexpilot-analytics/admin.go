package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/auth"
	"github.com/indexpilot/indexpilot-telemetry/internal/database"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
	"github.com/indexpilot/indexpilot-telemetry/scrub"
)

// withStore parses a --database flag set and runs fn on the opened store.
func (c cli) withStore(name, help string, args []string, setup func(*flag.FlagSet), fn func(context.Context, store.Store, *flag.FlagSet) error) int {
	fs := c.flags(name, help)
	v := register(fs, "database")
	if setup != nil {
		setup(fs)
	}
	if err := parseInterspersed(fs, args); err != nil {
		return parseFailed(err)
	}
	ctx := context.Background()
	st, err := database.Open(ctx, *v["database"])
	if err != nil {
		return c.fail(name, err)
	}
	defer st.Close()
	if err := fn(ctx, st, fs); err != nil {
		c.fail(name, err)
		var ue usageError
		if errors.As(err, &ue) {
			return exitUsage
		}
		return exitError
	}
	return exitOK
}

// parseInterspersed parses flags before and after the positional
// arguments ("keys revoke ID --database D", as the help writes it, and
// "keys revoke --database D ID"); fs.Args() are then the positional ones.
func parseInterspersed(fs *flag.FlagSet, args []string) error {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		positional, args = append(positional, fs.Arg(0)), fs.Args()[1:]
	}
	return fs.Parse(append([]string{"--"}, positional...))
}

type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func (c cli) migrate(args []string) int {
	return c.withStore("migrate", "Usage: indexpilot-analytics migrate [--database D]\n\nApplies the embedded migrations (serve does this at start too).", args, nil,
		func(ctx context.Context, st store.Store, _ *flag.FlagSet) error {
			fmt.Fprintln(c.out, "migrations applied")
			return nil
		})
}

func (c cli) recompute(args []string) int {
	return c.withStore("recompute", "Usage: indexpilot-analytics recompute [--database D]\n\nRebuilds every daily rollup of the days that still have raw reports.", args, nil,
		func(ctx context.Context, st store.Store, _ *flag.FlagSet) error {
			start := time.Now()
			if err := st.Recompute(ctx); err != nil {
				return err
			}
			fmt.Fprintf(c.out, "rollups recomputed in %s\n", time.Since(start).Round(time.Millisecond))
			return nil
		})
}

const keysHelp = `Usage:
  indexpilot-analytics keys create --kind admin|fleet [--name N] [--database D]
  indexpilot-analytics keys list [--database D]
  indexpilot-analytics keys revoke ID [--database D]

An admin token reads the dashboard and its API (Authorization: Bearer).
A fleet key sends reports for any installation (simulator, bulk import)
and is not rate-limited. A new secret is printed once; only its hash is
stored.`

func (c cli) keys(args []string) int {
	if code, shown := c.helpFor(keysHelp, args); shown {
		return code
	}
	switch args[0] {
	case "create":
		var kind, name *string
		return c.withStore("keys create", keysHelp, args[1:], func(fs *flag.FlagSet) {
			kind = fs.String("kind", "", "admin or fleet")
			name = fs.String("name", "", "a label to recognise the key by")
		}, func(ctx context.Context, st store.Store, _ *flag.FlagSet) error {
			text, err := createKey(ctx, st, *kind, *name)
			if err != nil {
				return err
			}
			fmt.Fprintln(c.out, text)
			fmt.Fprintln(c.err, "Shown once: store it now. Revoke with 'indexpilot-analytics keys revoke ID'.")
			return nil
		})
	case "list":
		return c.withStore("keys list", keysHelp, args[1:], nil, func(ctx context.Context, st store.Store, _ *flag.FlagSet) error {
			keys, err := st.Keys(ctx)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(c.out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tKIND\tNAME\tCREATED\tREVOKED")
			for _, k := range keys {
				revoked := "-"
				if k.Revoked != nil {
					revoked = k.Revoked.Format(time.RFC3339)
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", k.ID, k.Kind, k.Name, k.Created.Format(time.RFC3339), revoked)
			}
			return tw.Flush()
		})
	case "revoke":
		return c.withStore("keys revoke", keysHelp, args[1:], nil, func(ctx context.Context, st store.Store, fs *flag.FlagSet) error {
			if fs.NArg() != 1 {
				return usageError{"keys revoke takes one key ID (see 'keys list')"}
			}
			if err := revokeKey(ctx, st, fs.Arg(0)); err != nil {
				return err
			}
			fmt.Fprintln(c.out, "revoked", fs.Arg(0), "(running services stop accepting it, and its sessions, within a second)")
			return nil
		})
	}
	fmt.Fprintf(c.err, "indexpilot-analytics keys: unknown subcommand %q\n\n%s\n", args[0], keysHelp)
	return exitUsage
}

// createKey makes and stores an operator key and returns its text.
func createKey(ctx context.Context, st store.Store, kind, name string) (string, error) {
	prefix := map[string]string{store.KindAdmin: auth.PrefixAdmin, store.KindFleet: auth.PrefixFleet}[kind]
	if prefix == "" {
		return "", usageError{"--kind must be admin or fleet"}
	}
	text, sec, err := auth.New(prefix)
	if err != nil {
		return "", err
	}
	if name == "" {
		name = kind
	}
	if found := scrub.Find(name); found != nil {
		return "", usageError{"--name: a label, not personal data or a secret: the scrubber would remove " + strings.Join(slices.Sorted(maps.Keys(found)), ", ") + " from it"}
	}
	if err := auditCLI(ctx, st, store.AuditEntry{Action: store.AuditKeyCreate, KeyID: sec.ID, Detail: keyDetail(kind, name)}); err != nil {
		return "", err
	}
	if err := st.CreateKey(ctx, store.Key{ID: sec.ID, Kind: kind, Name: name, Hash: sec.Hash(), Created: time.Now().UTC()}); err != nil {
		return "", err
	}
	return text, nil
}

// revokeKey revokes a key once its audit entry is stored.
func revokeKey(ctx context.Context, st store.Store, id string) error {
	k, err := st.Key(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("no key with ID %q", id)
	}
	if err != nil {
		return err
	}
	if err := auditCLI(ctx, st, store.AuditEntry{Action: store.AuditKeyRevoke, KeyID: id, Detail: keyDetail(k.Kind, k.Name)}); err != nil {
		return err
	}
	return st.RevokeKey(ctx, id, time.Now())
}

// keyDetail describes a key in the audit log: its kind and name.
func keyDetail(kind, name string) string { return fmt.Sprintf("%s key %q", kind, name) }
