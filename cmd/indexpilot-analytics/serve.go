package main

import (
	"context"
	"fmt"
	"os"
	"runtime/debug"

	"github.com/indexpilot/indexpilot-telemetry/internal/service"
)

func (c cli) serve(args []string) int {
	fs := c.flags("serve", "Usage: indexpilot-analytics serve [flags]\n\n"+
		"Receives telemetry over HTTP until SIGINT or SIGTERM, then finishes in-flight\n"+
		"requests (their reports are committed) and exits 0.")
	v := register(fs, serviceOptions...)
	if err := fs.Parse(args); err != nil {
		return parseFailed(err)
	}
	o, err := v.serviceConfig(c.err)
	if err != nil {
		fmt.Fprintln(c.err, "indexpilot-analytics serve:", err)
		return exitUsage
	}
	tuneGC()
	return c.untilSignal("serve", func(ctx context.Context) error { return service.Run(ctx, o) })
}

// tuneGC trades memory the service has to spare for CPU it has not: ingest
// allocates per request, and at Go's default (GOGC=100) the collector took
// ~13% of the server's CPU. GOGC=400 with a 160 MiB soft limit raised
// ingest into PostgreSQL by ~12% at a peak RSS of 60 MiB (BENCHMARKS.md);
// the limit keeps the process under its 200 MB budget. Operators' own
// GOGC or GOMEMLIMIT win.
func tuneGC() {
	if os.Getenv("GOGC") == "" && os.Getenv("GOMEMLIMIT") == "" {
		debug.SetGCPercent(400)
		debug.SetMemoryLimit(160 << 20)
	}
}
