package main

import (
	"context"
	"flag"
)

var runCmd = &command{
	name:    "run",
	usage:   "[--database URL]",
	flags:   databaseFlag,
	summary: "stay running and send once a day at a randomised time",
	help: `Stays running and sends once a day at a randomised time, or when the
server named a time (next_collection), at that time. Reports that could not
be delivered are retried with growing waits. It re-reads the settings at
least hourly, so off takes effect without a restart. Problems are one line
each on stderr and never stop it. It exits 0 on SIGINT or SIGTERM.`,
	run: func(ctx context.Context, c *cli, fs *flag.FlagSet, args []string) int {
		c.stderrf("indexpilot-telemetry: running; reports go out about once a day while telemetry is on; stop with Ctrl-C or SIGTERM\n")
		c.invite(ctx)
		if err := c.client.Run(ctx); err != nil {
			return c.fail(err)
		}
		return exitOK
	},
}
