package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/telemetry"
)

var statusCmd = &command{
	name:    "status",
	summary: "show the mode, why, the identity, the endpoint, the consent, the last upload and the spool",
	help: `Shows whether telemetry is on, off or local and which setting decided it,
the installation id (once registered), the endpoint, the schema version
consented to (and the fields held back until you consent again), the last
upload and its result, and the reports waiting in the spool. It changes
nothing. Exits 2 when a setting cannot be used, naming it.`,
	flags: func(fs *flag.FlagSet) { fs.Bool("json", false, "print the status as JSON") },
	run: func(ctx context.Context, c *cli, fs *flag.FlagSet, args []string) int {
		st, err := c.client.Status(ctx)
		if boolFlag(fs, "json") {
			data, _ := json.MarshalIndent(st, "", "  ") // plain types: cannot fail
			c.printf("%s\n", data)
		} else {
			c.printStatus(st)
		}
		if err != nil {
			return c.fail(err)
		}
		return exitOK
	},
}

func (c *cli) printStatus(s *telemetry.Status) {
	row := func(name, format string, args ...any) { c.printf("  %-14s %s\n", name, fmt.Sprintf(format, args...)) }
	c.printf("Telemetry is %s: %s.\n", s.Mode, modeMeaning(s.Mode))
	row("decided by", "%s", s.Reason)
	if s.Debug {
		row("debug", "INDEXPILOT_TELEMETRY_DEBUG is set: reports are printed to stderr, never kept or sent")
	}
	if s.Mode != telemetry.Off {
		row("consent", "%s", consentLine(s))
	}
	if s.InstallationID != "" {
		row("installation", "%s (registered %s)", s.InstallationID, stamp(s.Registered))
	} else {
		row("installation", "not registered: the first upload after `on` registers one")
	}
	row("endpoint", "%s (%s)", s.Endpoint, s.EndpointSource)
	row("last upload", "%s", lastUpload(s))
	row("spool", "%s", spoolLine(s))
	if s.KeptLocally > 0 {
		row("kept locally", "%d report(s), never to be sent", s.KeptLocally)
	}
	if s.Mode != telemetry.Off && !s.NextReport.IsZero() {
		row("next report", "%s", stamp(s.NextReport))
	}
	if s.NotBefore.After(time.Now()) {
		row("server asked", "no upload before %s", stamp(s.NotBefore))
	}
	row("collected", "usage stats %s, performance metrics %s, error reports %s",
		yesNo(s.CollectUsageStats), yesNo(s.CollectPerformanceMetrics), yesNo(s.CollectErrorReports))
	found := "found"
	if !s.ConfigFound {
		found = "not found"
	}
	row("config file", "%s (%s)", s.ConfigFile, found)
	row("state folder", "%s", s.StateDir)
}

func modeMeaning(m telemetry.Mode) string {
	switch m {
	case telemetry.On:
		return "reports are built, kept and sent"
	case telemetry.Local:
		return "reports are built and kept on this machine, never sent"
	}
	return "nothing is collected, written or sent"
}

func consentLine(s *telemetry.Status) string {
	if len(s.HeldBack) == 0 {
		return fmt.Sprintf("schema version %d, the newest", s.Consented)
	}
	return fmt.Sprintf("schema version %d of %d: newer fields are held back (%s); `indexpilot-telemetry preview --diff` shows them, `indexpilot-telemetry on` consents to them",
		s.Consented, s.Current, strings.Join(s.HeldBack, ", "))
}

func lastUpload(s *telemetry.Status) string {
	a := s.LastAttempt
	if a == nil {
		return "none yet"
	}
	id := a.ReportID
	if len(id) > 8 {
		id = id[:8]
	}
	return fmt.Sprintf("%s, report %s: %s", stamp(a.At), id, a.Result)
}

func spoolLine(s *telemetry.Status) string {
	line := fmt.Sprintf("%d report(s) waiting (%s)", s.Pending, size(s.PendingBytes))
	if s.Dropped > 0 {
		line += fmt.Sprintf("; %d dropped, oldest first, because the spool was full", s.Dropped)
	}
	return line
}

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func size(n int64) string {
	if n < 1024 {
		return fmt.Sprintf("%d B", n)
	}
	return fmt.Sprintf("%.1f KiB", float64(n)/1024)
}
