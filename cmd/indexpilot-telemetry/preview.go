package main

import (
	"context"
	"flag"
	"strings"

	"github.com/indexpilot/indexpilot-telemetry/telemetry"
)

var previewCmd = &command{
	name:    "preview",
	usage:   "[--diff] [--database URL]",
	summary: "print the exact bytes send would upload, without sending or registering",
	help: `Builds a report now and prints, on stdout, the exact bytes that send would
upload: the client uploads this indented JSON as it is. Nothing is kept,
sent or registered. Before the first upload the installation_id is a
placeholder, replaced by the id the service assigns. report_id and
timestamp are drawn anew for each report. Notes on stderr say what was left
out and why. With telemetry off it shows what the first report after on
would hold.

With --diff it prints only the fields added since the schema version you
consented to: what running on again would add.`,
	flags: func(fs *flag.FlagSet) {
		databaseFlag(fs)
		fs.Bool("diff", false, "print only the fields newer than the consented schema version")
	},
	run: func(ctx context.Context, c *cli, fs *flag.FlagSet, args []string) int {
		p, err := c.client.Preview(ctx)
		if err != nil {
			return c.fail(err)
		}
		note := func(format string, args ...any) { c.stderrf("# "+format+"\n", args...) }
		if p.Mode == telemetry.Off {
			note("telemetry is off (%s): this is what the first report after `indexpilot-telemetry on` would hold", p.Reason)
		}
		if !p.Registered {
			note("installation_id is a placeholder until the first upload registers this installation")
		}
		for _, n := range p.Notes {
			note("%s", n)
		}
		if boolFlag(fs, "diff") {
			if strings.TrimSpace(string(p.Diff)) == "{}" {
				note("no field was added since the schema version you consented to")
			}
			c.stdout.Write(p.Diff)
			return exitOK
		}
		if len(p.Held) > 0 {
			note("held back until you consent again (indexpilot-telemetry on): %s; --diff shows them", strings.Join(p.Held, ", "))
		}
		c.stdout.Write(p.Report)
		return exitOK
	},
}
