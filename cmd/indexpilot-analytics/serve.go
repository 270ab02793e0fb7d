package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/indexpilot/indexpilot-telemetry/internal/service"
)

func cmdServe(args []string) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "Usage: indexpilot-analytics serve [flags]\n\n"+
			"Receives telemetry over HTTP until SIGINT or SIGTERM, then finishes in-flight\n"+
			"requests (their reports are committed) and exits 0.\n\n")
		fs.PrintDefaults()
	}
	v := register(fs, serviceOptions...)
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	o, err := v.serviceConfig()
	if err != nil {
		fmt.Fprintln(os.Stderr, "indexpilot-analytics serve:", err)
		return exitUsage
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := service.Run(ctx, o); err != nil {
		fmt.Fprintln(os.Stderr, "indexpilot-analytics serve:", err)
		return exitError
	}
	return exitOK
}
