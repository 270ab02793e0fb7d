package main

import (
	"context"
	"flag"

	"github.com/indexpilot/indexpilot-telemetry/telemetry"
)

var onCmd = &command{
	name:    "on",
	usage:   "[--new-id]",
	summary: "turn telemetry on: reports are built, kept and sent",
	help: `Turns telemetry on and consents to every field this client knows (the
newest schema version). The first report covers what preview shows. The
first time, it prints what is collected, where it goes, and how to see,
stop and erase it. The installation registers with the service at the
first upload. A higher-ranked setting (DO_NOT_TRACK=1,
INDEXPILOT_TELEMETRY_ENABLED=false) still keeps telemetry off; the message
says so. Exits 2, changing nothing, when a setting cannot be used.`,
	flags: func(fs *flag.FlagSet) {
		fs.Bool("new-id", false, "drop the installation id and key: the next upload registers a new installation")
	},
	run: func(ctx context.Context, c *cli, fs *flag.FlagSet, args []string) int {
		return c.setMode(ctx, telemetry.On, boolFlag(fs, "new-id"))
	},
}

var offCmd = &command{
	name:    "off",
	summary: "turn telemetry off: nothing is collected, written or sent",
	help: `Turns telemetry off. Reports waiting to be sent are deleted. What the
server already holds stays there until you run forget (or it expires after
90 days). Off works even when a setting is broken.`,
	run: func(ctx context.Context, c *cli, fs *flag.FlagSet, args []string) int {
		return c.setMode(ctx, telemetry.Off, false)
	},
}

var localCmd = &command{
	name:    "local",
	summary: "build and keep reports on this machine, never send them",
	help: `Sets local mode: reports are built and kept in the state folder (see
status), and never sent, not even after a later on. Reports that were
waiting to be sent are kept locally too, never to be sent.`,
	run: func(ctx context.Context, c *cli, fs *flag.FlagSet, args []string) int {
		return c.setMode(ctx, telemetry.Local, false)
	},
}

func (c *cli) setMode(ctx context.Context, m telemetry.Mode, newID bool) int {
	ch, err := c.client.SetMode(ctx, m, newID)
	if err != nil {
		return c.fail(err)
	}
	if ch.Notice != "" {
		c.printf("%s\n", ch.Notice)
	}
	if ch.Effective == m {
		c.printf("Telemetry is %s: %s.\n", m, modeMeaning(m))
	} else {
		c.printf("Mode %s stored, but telemetry is %s: %s decides (see indexpilot-telemetry status).\n", m, ch.Effective, ch.Reason)
	}
	switch {
	case ch.Unsent > 0 && m == telemetry.Off:
		c.printf("Deleted %d report(s) that were waiting to be sent.\n", ch.Unsent)
	case ch.Unsent > 0 && m == telemetry.Local:
		c.printf("Kept %d report(s) that were waiting to be sent on this machine; they will never be sent.\n", ch.Unsent)
	}
	if newID {
		c.printf("The installation id was dropped: the next upload registers a new one.\n")
	}
	if m == telemetry.Off && ch.From == telemetry.On {
		c.printf("What was sent stays on the server until it expires; indexpilot-telemetry forget erases it now.\n")
	}
	return exitOK
}
