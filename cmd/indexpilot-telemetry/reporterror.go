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

// tracebackInput is how much of the end of a traceback is read: more
// than the client looks at (1 MiB), so that it knows when one was cut.
const tracebackInput = 2 << 20

var reportErrorCmd = &command{
	name:    "report-error",
	usage:   "[--type T --message M] [--dry-run] [< traceback]",
	summary: "report one error: a Python traceback on stdin, or --type and --message",
	help: `Reports one IndexPilot error: a Python traceback on stdin (or in
--traceback FILE), whose last exception gives the type, the message and the
frames, or --type and --message. For psycopg's exception types the SQLSTATE
is inferred; --sqlstate gives it.

Everything is scrubbed before it is kept or sent: passwords, tokens,
connection strings, host, user and database names, e-mail and IP addresses,
SQL literals and home-directory user names (scrub/RULES.md). The context
sent is at most the four keys component, operation, postgresql_version and
indexpilot_version; --context refuses any other. Names given with --table
and --index are never sent, not even hashed: they become [table] and
[index] in the message.

With telemetry on, the report is kept in the spool and uploaded at once,
within the 5-second deadline; if that fails it waits for the next send or
run. In local mode it is kept on this machine, never sent. With telemetry
off, or collect_error_reports: false in indexpilot_config.yaml, nothing is
written or sent. --dry-run prints the exact bytes that would be uploaded
and writes and sends nothing.

A traceback longer than 1 MiB keeps its end; the report keeps the innermost
50 frames, 4096 bytes of message and the last 512 bytes of each path
(docs/errors.md).

It exits 0 when telemetry is off and when the upload fails (one line on
stderr; the report waits in the spool); with --strict a failed upload exits
1 and a broken setting 2. Input that cannot be reported (not a traceback,
an unknown context key) always exits 2.`,
	flags: func(fs *flag.FlagSet) {
		fs.String("type", "", "the exception's qualified name, e.g. psycopg2.OperationalError (instead of a traceback)")
		fs.String("message", "", "the exception's message (with --type)")
		fs.String("sqlstate", "", "PostgreSQL's SQLSTATE, e.g. 23505")
		fs.String("traceback", "", "read the traceback from `FILE` instead of stdin")
		fs.Var(&contextFlag{}, "context", "`KEY=VALUE`, repeatable; the keys are component, operation, postgresql_version and indexpilot_version")
		fs.Var(&listFlag{}, "table", "a table `NAME` the error may mention, replaced by [table]; repeatable")
		fs.Var(&listFlag{}, "index", "an index `NAME` the error may mention, replaced by [index]; repeatable")
		fs.Bool("dry-run", false, "print the scrubbed report as it would be uploaded; write and send nothing")
		fs.Bool("strict", false, "exit 1 when the upload fails, 2 when a setting cannot be used")
		fs.Bool("q", false, "print nothing on success")
	},
	run: func(ctx context.Context, c *cli, fs *flag.FlagSet, args []string) int {
		ev, err := errorEvent(fs)
		if err != nil {
			c.stderrf("indexpilot-telemetry report-error: %v; see indexpilot-telemetry help report-error\n", err)
			return exitUsage
		}
		if boolFlag(fs, "dry-run") {
			return c.previewError(ctx, ev)
		}
		res, err := c.client.SendError(ctx, ev)
		if errors.Is(err, telemetry.ErrInvalidEvent) {
			c.stderrf("indexpilot-telemetry report-error: %v\n", err)
			return exitUsage
		}
		if !boolFlag(fs, "q") {
			c.printSent(res, errorWords)
		}
		return c.failIfStrict(fs, err)
	},
}

// errorEvent reads the event from the flags, and the traceback from
// stdin or --traceback when there is no --type.
func errorEvent(fs *flag.FlagSet) (telemetry.ErrorEvent, error) {
	get := func(name string) string { return fs.Lookup(name).Value.String() }
	ev := telemetry.ErrorEvent{Type: get("type"), Message: get("message"), SQLState: get("sqlstate"),
		Context: fs.Lookup("context").Value.(*contextFlag).x}
	ev.Context.Tables = *fs.Lookup("table").Value.(*listFlag)
	ev.Context.Indexes = *fs.Lookup("index").Value.(*listFlag)
	switch {
	case ev.Message != "" && ev.Type == "":
		return ev, errors.New("--message needs --type")
	case ev.Type != "" && get("traceback") != "":
		return ev, errors.New("give --type or --traceback, not both")
	case ev.Type != "":
		return ev, nil
	}
	var err error
	ev.Traceback, err = readTraceback(get("traceback"))
	return ev, err
}

// readTraceback reads the end of the traceback in file, or on stdin.
func readTraceback(file string) (string, error) {
	in := os.Stdin
	if file != "" && file != "-" {
		f, err := os.Open(file)
		if err != nil {
			return "", err
		}
		defer f.Close() // read-only
		in = f
	} else if info, err := in.Stat(); err == nil && info.Mode()&os.ModeCharDevice != 0 {
		return "", errors.New("no traceback: pipe a Python traceback on stdin, or give --type and --message")
	}
	return readTail(in, tracebackInput)
}

// readTail returns the last max bytes r yields: a traceback's exception
// is at its end.
func readTail(r io.Reader, max int) (string, error) {
	var buf []byte
	chunk := make([]byte, 64<<10)
	for {
		n, err := r.Read(chunk)
		buf = append(buf, chunk[:n]...)
		if len(buf) > 2*max {
			buf = append(buf[:0], buf[len(buf)-max:]...)
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", fmt.Errorf("reading the traceback: %w", err)
		}
	}
	if len(buf) > max {
		buf = buf[len(buf)-max:]
	}
	return string(buf), nil
}

func (c *cli) previewError(ctx context.Context, ev telemetry.ErrorEvent) int {
	p, err := c.client.PreviewError(ctx, ev)
	if errors.Is(err, telemetry.ErrInvalidEvent) {
		c.stderrf("indexpilot-telemetry report-error: %v\n", err)
		return exitUsage
	}
	if err != nil {
		return c.fail(err)
	}
	note := func(format string, args ...any) { c.stderrf("# "+format+"\n", args...) }
	switch p.Mode {
	case telemetry.Off:
		note("error reports are off (%s): nothing would be kept or sent", p.Reason)
	case telemetry.Local:
		note("local mode: this report would be kept on this machine, never sent")
	}
	if !p.Registered {
		note("installation_id is a placeholder until the first upload registers this installation")
	}
	for _, n := range p.Notes {
		note("%s", n)
	}
	c.stdout.Write(p.Report)
	return exitOK
}

// contextFlag is --context KEY=VALUE, checked against the contract's keys.
type contextFlag struct{ x telemetry.ErrorContext }

func (f *contextFlag) String() string { return "" }

func (f *contextFlag) Set(s string) error {
	key, value, ok := strings.Cut(s, "=")
	if !ok {
		return errors.New("want KEY=VALUE, e.g. component=auto_indexer")
	}
	return f.x.Set(strings.TrimSpace(key), strings.TrimSpace(value))
}

// listFlag is a repeatable flag.
type listFlag []string

func (f *listFlag) String() string { return strings.Join(*f, ",") }

func (f *listFlag) Set(s string) error {
	*f = append(*f, s)
	return nil
}
