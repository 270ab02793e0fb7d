// Command indexpilot-analytics is the IndexPilot maintainers' telemetry
// service: it receives opt-in reports, stores them, keeps exact daily
// aggregates and serves the dashboard. Run it without arguments for help.
package main

import (
	"fmt"
	"os"
)

func main() {
	os.Exit(run(os.Args[1:]))
}

// exit codes
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
)

func run(args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Print(usage)
		return exitOK
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(os.Stderr, "indexpilot-analytics: unknown command %q\n\n%s", args[0], usage)
		return exitUsage
	}
	return cmd(args[1:])
}

var commands = map[string]func([]string) int{
	"serve":         cmdServe,
	"migrate":       cmdMigrate,
	"keys":          cmdKeys,
	"recompute":     cmdRecompute,
	"simulate":      cmdSimulate,
	"demo":          cmdDemo,
	"config":        cmdConfig,
	"bench":         cmdBench,
	"feedback":      cmdFeedback,
	"installations": cmdInstallations,
	"privacy":       cmdPrivacy,
	// bench-server runs the baselines for bench; it is not listed in help.
	"bench-server": cmdBenchServer,
}

const usage = `indexpilot-analytics: the IndexPilot maintainers' telemetry service.

Usage: indexpilot-analytics COMMAND [flags]

Commands:
  serve       receive reports over HTTP and serve the API and overview page
  demo        start the service on the embedded store, fill it with a simulated
              fleet, and print the page URL and an admin token
  simulate    send a simulated fleet's reports to a running service
  keys        create, list and revoke admin tokens and fleet keys
  migrate     apply the database migrations and exit
  recompute   rebuild every daily rollup from the raw reports
  config      print the effective configuration (secrets masked)
  bench       measure ingest and dashboard speed against baselines
  feedback    import GitHub feature requests as feedback votes
  installations
              export or erase one installation's data on its user's request
              (recorded in the audit log)
  privacy     scan the stored texts for what the scrubber removes

Run 'indexpilot-analytics COMMAND -h' for a command's flags. Every flag can
also be set by its environment variable (see 'config').
`
