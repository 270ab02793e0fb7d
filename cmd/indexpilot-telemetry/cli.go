package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/indexpilot/indexpilot-telemetry/telemetry"
)

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1 // a failure: forget or export could not finish, send --strict could not upload
	exitUsage   = 2 // bad usage or a setting the client cannot use
)

// cli is one invocation: where input comes from, where output goes and
// the client it drives.
type cli struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	client         *telemetry.Client
}

// command is one subcommand. run gets the arguments after its name.
type command struct {
	name    string
	usage   string // arguments, for the usage line
	summary string
	help    string // more, for `help NAME`
	run     func(ctx context.Context, c *cli, fs *flag.FlagSet, args []string) int
	flags   func(fs *flag.FlagSet) // declares the command's flags
	// args is set on a command that takes arguments after its flags; the
	// others refuse any before they run.
	args bool
}

func commands() []*command {
	return []*command{statusCmd, onCmd, offCmd, localCmd, previewCmd, sendCmd, reportErrorCmd, feedbackCmd, runCmd, logCmd, forgetCmd, exportCmd, experimentsCmd, featureUsageCmd}
}

// run is the whole program but for the process, reading the process's
// stdin: tests call it directly.
func run(ctx context.Context, args []string, o telemetry.Options, stdout, stderr io.Writer) int {
	return runIO(ctx, args, o, os.Stdin, stdout, stderr)
}

// runIO is run with its standard input given.
func runIO(ctx context.Context, args []string, o telemetry.Options, stdin io.Reader, stdout, stderr io.Writer) int {
	if o.Stderr == nil {
		o.Stderr = stderr
	}
	c := &cli{stdin: stdin, stdout: stdout, stderr: stderr, client: telemetry.New(o)}
	if len(args) == 0 {
		c.usage(stderr)
		return exitUsage
	}
	name, rest := args[0], args[1:]
	switch name {
	case "help", "-h", "-help", "--help":
		if len(rest) > 0 {
			if cmd := find(rest[0]); cmd != nil {
				c.commandHelp(stdout, cmd, nil)
				return exitOK
			}
		}
		c.usage(stdout)
		return exitOK
	}
	cmd := find(name)
	if cmd == nil {
		fmt.Fprintf(stderr, "indexpilot-telemetry: unknown command %q; the commands are %s (see indexpilot-telemetry help)\n",
			name, strings.Join(names(), ", "))
		return exitUsage
	}
	fs := flag.NewFlagSet(cmd.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	if cmd.flags != nil {
		cmd.flags(fs)
	}
	if err := fs.Parse(rest); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			c.commandHelp(stdout, cmd, fs)
			return exitOK
		}
		fmt.Fprintf(stderr, "indexpilot-telemetry %s: %v; see indexpilot-telemetry help %s\n", cmd.name, err, cmd.name)
		return exitUsage
	}
	if f := fs.Lookup("database"); f != nil && f.Value.String() != "" {
		o.DatabaseURL = f.Value.String()
		c.client = telemetry.New(o)
	}
	if !cmd.args && !c.noArgs(cmd.name, fs.Args()) {
		return exitUsage
	}
	return cmd.run(ctx, c, fs, fs.Args())
}

// databaseFlag declares --database on the commands that build reports.
func databaseFlag(fs *flag.FlagSet) {
	fs.String("database", "", "IndexPilot's database URL (default: SUPABASE_DB_URL, else IndexPilot's DB_* variables)")
}

func find(name string) *command {
	for _, cmd := range commands() {
		if cmd.name == name {
			return cmd
		}
	}
	return nil
}

func names() []string {
	var out []string
	for _, cmd := range commands() {
		out = append(out, cmd.name)
	}
	return out
}

// fail prints err as one line and returns its exit code: 2 for a setting
// the client cannot use, else 1.
func (c *cli) fail(err error) int {
	fmt.Fprintf(c.stderr, "indexpilot-telemetry: %v\n", err)
	if isConfig(err) {
		return exitUsage
	}
	return exitFailure
}

// failIfStrict prints the error of a send that failed, which fails the
// command only with --strict: without it the report waits in the spool
// for the next send, and the command exits 0.
func (c *cli) failIfStrict(fs *flag.FlagSet, err error) int {
	if err == nil {
		return exitOK
	}
	code := c.fail(err)
	if !boolFlag(fs, "strict") {
		return exitOK
	}
	return code
}

func isConfig(err error) bool {
	var ce *telemetry.ConfigError
	return errors.As(err, &ce)
}

// noArgs refuses arguments a command does not take.
func (c *cli) noArgs(cmd string, args []string) bool {
	if len(args) > 0 {
		fmt.Fprintf(c.stderr, "indexpilot-telemetry %s: unexpected argument %q; see indexpilot-telemetry help %s\n", cmd, args[0], cmd)
		return false
	}
	return true
}

func (c *cli) printf(format string, args ...any) { fmt.Fprintf(c.stdout, format, args...) }

func (c *cli) usage(w io.Writer) {
	fmt.Fprint(w, `indexpilot-telemetry: IndexPilot's opt-in telemetry client.

Usage: indexpilot-telemetry COMMAND [flags]

Commands:
`)
	for _, cmd := range commands() {
		fmt.Fprintf(w, "  %-26s %s\n", strings.TrimSpace(cmd.name+" "+cmd.usage), cmd.summary)
	}
	fmt.Fprint(w, `
Settings, highest precedence first (status names the one that decided):
  1. DO_NOT_TRACK=1 or INDEXPILOT_TELEMETRY_ENABLED=false: off, always.
  2. INDEXPILOT_TELEMETRY_ENABLED=true, or the mode set with on/off/local
     (when both are given and disagree, the more private one wins).
  3. telemetry.enabled in indexpilot_config.yaml ($INDEXPILOT_CONFIG_FILE,
     else the current directory); it does not count when CI is set.
  4. Off.

Environment:
  INDEXPILOT_TELEMETRY_DEBUG=1     print each report to stderr, send nothing
  INDEXPILOT_TELEMETRY_ENDPOINT    the analytics service (default `+telemetry.DefaultEndpoint+`)
  XDG_STATE_HOME                   state in $XDG_STATE_HOME/indexpilot/telemetry
  HTTPS_PROXY, NO_PROXY            honoured

Exit status: 0 ok; 1 a failure (send only with --strict); 2 bad usage or a
setting that cannot be used.

Run indexpilot-telemetry help COMMAND for more about a command.
`)
}

func (c *cli) commandHelp(w io.Writer, cmd *command, fs *flag.FlagSet) {
	fmt.Fprintf(w, "Usage: indexpilot-telemetry %s\n\n%s\n", strings.TrimSpace(cmd.name+" "+cmd.usage), cmd.help)
	if fs == nil && cmd.flags != nil {
		fs = flag.NewFlagSet(cmd.name, flag.ContinueOnError)
		cmd.flags(fs)
	}
	if fs != nil && hasFlags(fs) {
		fmt.Fprintln(w, "\nFlags:")
		fs.SetOutput(w)
		fs.PrintDefaults()
	}
}

func hasFlags(fs *flag.FlagSet) bool {
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	return n > 0
}

// boolFlag reads a flag the command declared.
func boolFlag(fs *flag.FlagSet, name string) bool {
	return fs.Lookup(name).Value.String() == "true"
}

func (c *cli) stderrf(format string, args ...any) { fmt.Fprintf(c.stderr, format, args...) }
