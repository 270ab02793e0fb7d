// Command indexpilot-analytics is the IndexPilot maintainers' telemetry
// service: it receives opt-in reports, stores them, keeps exact daily
// aggregates and serves the dashboard. Run it without arguments for help.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	os.Exit(cli{in: os.Stdin, out: os.Stdout, err: os.Stderr}.run(os.Args[1:]))
}

// cli is where a command reads and writes: the process's standard streams,
// or a test's, so that commands run in-process.
type cli struct {
	in       io.Reader
	out, err io.Writer
}

// exit codes
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
)

func (c cli) run(args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(c.out, usage)
		return exitOK
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(c.err, "indexpilot-analytics: unknown command %q\n\n%s", args[0], usage)
		return exitUsage
	}
	return cmd(c, args[1:])
}

var commands = map[string]func(cli, []string) int{
	"serve":         cli.serve,
	"migrate":       cli.migrate,
	"keys":          cli.keys,
	"recompute":     cli.recompute,
	"simulate":      cli.simulate,
	"demo":          cli.demo,
	"config":        cli.config,
	"bench":         cli.bench,
	"feedback":      cli.feedback,
	"installations": cli.installations,
	"privacy":       cli.privacy,
	"alerts":        cli.alerts,
	"report":        cli.report,      // report.go
	"experiments":   cli.experiments, // experiments.go
	// bench-server runs the baselines for bench; it is not listed in help.
	"bench-server": cli.benchServer,
}

// flags returns the flag set of a command, whose -h prints usage and then
// the flags.
func (c cli) flags(name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(c.err)
	fs.Usage = func() { fmt.Fprint(fs.Output(), usage+"\n\nFlags:\n"); fs.PrintDefaults() }
	return fs
}

// parseFailed is the exit code of a command whose flags did not parse: 0
// after -h (the usage was asked for and printed), else the usage code.
func parseFailed(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	return exitUsage
}

// parseSubcommand parses the flags of a command whose one subcommand is
// want (alerts run, report weekly). Anything else prints the usage: after
// -h, which asks for it, the command exits 0, else with the usage code.
// ok is false when the command should exit with code.
func (c cli) parseSubcommand(name, want string, fs *flag.FlagSet, args []string) (code int, ok bool) {
	if len(args) == 0 || args[0] != want {
		help := len(args) > 0 && (args[0] == "-h" || args[0] == "--help")
		if len(args) > 0 && !help {
			fmt.Fprintf(c.err, "indexpilot-analytics %s: unknown subcommand %q\n\n", name, args[0])
		}
		fs.Usage()
		if help {
			return exitOK, false
		}
		return exitUsage, false
	}
	if err := fs.Parse(args[1:]); err != nil {
		return parseFailed(err), false
	}
	return exitOK, true
}

// untilSignal runs fn, whose context ends at SIGINT or SIGTERM, and
// prints the error it returns after the command's name.
func (c cli) untilSignal(name string, fn func(context.Context) error) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := fn(ctx); err != nil {
		return c.fail(name, err)
	}
	return exitOK
}

// fail prints err after the command's name.
func (c cli) fail(name string, err error) int {
	fmt.Fprintf(c.err, "indexpilot-analytics %s: %v\n", name, err)
	return exitError
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
  alerts run  evaluate the alerts once, deliver the new ones, print them (cron)
  report weekly
              print one ISO week's report (JSON, Markdown or HTML e-mail), or
              deliver it through the alert channels with --send
  bench       measure ingest and dashboard speed against baselines
  feedback    import GitHub feature requests as feedback votes
  installations
              export or erase one installation's data on its user's request
              (recorded in the audit log)
  privacy     scan the stored texts for what the scrubber removes
  experiments create, list, show and stop fleet experiments (A/B tests)

Run 'indexpilot-analytics COMMAND -h' for a command's flags. Every flag can
also be set by its environment variable (see 'config').
`
