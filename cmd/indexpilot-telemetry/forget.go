package main

import (
	"context"
	"flag"

	"github.com/indexpilot/indexpilot-telemetry/telemetry"
)

var forgetCmd = &command{
	name:    "forget",
	summary: "delete every report of this installation on the server, then the local identity and spool",
	help: `Asks the server to delete this installation and every report of it
(DELETE /api/v1/installations/me with the installation's key), then drops
the local identity, the spool, the local copies and the collector's salt.
The mode stays as it is: with telemetry still on, the next upload registers
a new installation. If the server cannot be reached nothing is dropped, and
forget exits 1; run it again later.`,
	run: func(ctx context.Context, c *cli, fs *flag.FlagSet, args []string) int {
		f, err := c.client.Forget(ctx)
		if err != nil {
			return c.fail(err)
		}
		switch {
		case !f.WasRegistered:
			c.printf("This installation never uploaded, so the server holds nothing about it.\n")
		case f.AlreadyGone:
			c.printf("The server no longer knew this installation: nothing was left to delete there.\n")
		default:
			c.printf("The server deleted this installation and its %d report(s).\n", f.ReportsDeleted)
		}
		c.printf("The local identity, spool and copies are gone.\n")
		if st, err := c.client.Status(ctx); err == nil && st.Mode == telemetry.On {
			c.printf("Telemetry is still on: the next upload registers a new installation. indexpilot-telemetry off stops it.\n")
		}
		return exitOK
	},
}

var exportCmd = &command{
	name:    "export",
	summary: "print everything the server holds about this installation, as JSON",
	help: `Downloads everything the server holds about this installation
(GET /api/v1/installations/me/export) and prints it as JSON. Before the first
upload the server holds nothing, and export says so and exits 1.`,
	run: func(ctx context.Context, c *cli, fs *flag.FlagSet, args []string) int {
		data, err := c.client.Export(ctx)
		if err != nil {
			return c.fail(err)
		}
		c.stdout.Write(data)
		return exitOK
	},
}
