package main

import (
	"context"
	"flag"
	"fmt"
	"text/tabwriter"
)

var logCmd = &command{
	name:    "log",
	usage:   "[show ID]",
	summary: "list what was uploaded and the server's answers; log show ID prints one",
	help: `Lists the reports the server answered (the last 100 accepted, the last 100
refused), oldest first: when, the schema version, and the server's answer.
A local copy of every upload is kept; log show ID prints it byte for byte
as it was sent. ID is the report_id or a unique prefix of it.`,
	args: true,
	run: func(ctx context.Context, c *cli, fs *flag.FlagSet, args []string) int {
		switch {
		case len(args) == 2 && args[0] == "show":
			data, err := c.client.Uploaded(args[1])
			if err != nil {
				return c.fail(err)
			}
			c.stdout.Write(data)
			return exitOK
		case len(args) > 0:
			c.stderrf("indexpilot-telemetry log: expected nothing or show ID, got %q; see indexpilot-telemetry help log\n", args)
			return exitUsage
		}
		ups, err := c.client.Log()
		if err != nil {
			return c.fail(err)
		}
		if len(ups) == 0 {
			c.printf("Nothing was uploaded yet.\n")
			return exitOK
		}
		tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
		defer tw.Flush()
		fmt.Fprintf(tw, "ID\tANSWERED\tSCHEMA\tSTATUS\tANSWER\n")
		for _, u := range ups {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\n", short(u.ID), stamp(u.At), u.Schema, u.Status, u.Result)
		}
		return exitOK
	},
}
