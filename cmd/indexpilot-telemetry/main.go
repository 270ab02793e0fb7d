// Command indexpilot-telemetry is IndexPilot's opt-in telemetry client:
// it shows what telemetry would send, turns it on, off or local, sends,
// and erases. Run it with -h for the commands; docs/client.md explains
// what is collected.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/indexpilot/indexpilot-telemetry/telemetry"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], telemetry.Options{}, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
