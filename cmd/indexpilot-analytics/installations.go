package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/store"
	contract "github.com/indexpilot/indexpilot-telemetry/report" // the wire contract; cluster_test.go has a func report
)

const installationsHelp = `Usage:
  indexpilot-analytics installations export --id ID [--database D]
  indexpilot-analytics installations delete --id ID [--database D]

For an operator acting on a user's written request (the user may no
longer have the machine): export prints, as JSON, everything stored about
the installation; delete erases its reports and error reports and takes
them out of the daily aggregates exactly, as the installation's own
'indexpilot-telemetry forget' does. Each act is recorded in the audit log
(GET /api/v1/admin/audit, the dashboard's Audit log page) before it
happens, as done from the command line. The same acts over HTTP, with an
admin token: GET and DELETE /api/v1/admin/installations/ID.`

func (c cli) installations(args []string) int {
	if code, shown := c.helpFor(installationsHelp, args, "export", "delete"); shown {
		return code
	}
	verb := args[0]
	var id *string
	return c.withStore("installations "+verb, installationsHelp, args[1:], func(fs *flag.FlagSet) {
		id = fs.String("id", "", "the installation id (as the user's telemetry status or export shows it)")
	}, func(ctx context.Context, st store.Store, _ *flag.FlagSet) error {
		if !contract.ValidInstallationID(*id) {
			return usageError{"--id: " + contract.InstallationIDRule()}
		}
		if verb == "export" {
			return c.exportInstallation(ctx, st, *id)
		}
		return c.deleteInstallation(ctx, st, *id)
	})
}

// exportInstallation prints the export once its audit entry is stored.
func (c cli) exportInstallation(ctx context.Context, st store.Store, id string) error {
	exp, err := store.ExportAll(ctx, st, id)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("no installation %q is stored", id)
	}
	if err != nil {
		return err
	}
	if err := auditCLI(ctx, st, store.AuditEntry{Action: store.AuditExport, InstallationID: id}); err != nil {
		return err
	}
	enc := json.NewEncoder(c.out)
	enc.SetIndent("", "  ")
	return enc.Encode(exp)
}

// deleteInstallation erases the installation after storing its audit
// entry.
func (c cli) deleteInstallation(ctx context.Context, st store.Store, id string) error {
	if err := auditCLI(ctx, st, store.AuditEntry{Action: store.AuditDelete, InstallationID: id}); err != nil {
		return err
	}
	n, err := st.DeleteInstallation(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("no installation %q is stored", id)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(c.out, "deleted installation %s: %d reports and its error reports (running services refuse its reports within a second)\n", id, n)
	return nil
}

// auditCLI appends an audit entry for an act done from the command line.
func auditCLI(ctx context.Context, st store.Store, e store.AuditEntry) error {
	e.At, e.Actor = time.Now().UTC(), store.ActorCommandLine
	if _, err := st.AppendAudit(ctx, e); err != nil {
		return fmt.Errorf("the audit entry could not be stored, so nothing was done: %w", err)
	}
	return nil
}
