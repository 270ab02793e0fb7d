package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/alerts"
	"github.com/indexpilot/indexpilot-telemetry/internal/database"
	"github.com/indexpilot/indexpilot-telemetry/internal/server"
	"github.com/indexpilot/indexpilot-telemetry/internal/service"
)

const alertsHelp = `Usage: indexpilot-analytics alerts run [--database D] [--webhook URL]
       [--smtp-url smtp://user:password@host:port --alert-email-to ADDR[,ADDR]] [flags]

Evaluates the alerts once — versions recommended for rollback, high-severity
anomalies of the last two whole days, error groups never seen before that
several installations reported — delivers those not delivered within the
suppression window to each channel (the sent ledger in the store remembers,
so the service and a cron job never send one twice), prints what it
delivered and exits: 0 when every delivery succeeded, 1 otherwise. Without a
channel it prints the alerts that hold and delivers nothing.

Flags:
`

func cmdAlerts(args []string) int {
	fs := flag.NewFlagSet("alerts run", flag.ContinueOnError)
	v := register(fs, append([]string{"database", "aggregate-retention-days", "alert-suppress", "log-level"}, notifyOptions...)...)
	fs.Usage = func() { fmt.Fprint(fs.Output(), alertsHelp); fs.PrintDefaults() }
	if len(args) == 0 || args[0] != "run" {
		if len(args) > 0 && args[0] != "-h" && args[0] != "--help" {
			fmt.Fprintf(os.Stderr, "indexpilot-analytics alerts: unknown subcommand %q\n\n", args[0])
		}
		fs.Usage()
		return exitUsage
	}
	if err := fs.Parse(args[1:]); err != nil {
		return exitUsage
	}
	o, err := v.alertOptions()
	if err != nil {
		fmt.Fprintln(os.Stderr, "indexpilot-analytics alerts run:", err)
		return exitUsage
	}
	cfg := server.DefaultConfig()
	days, err := v.int("aggregate-retention-days")
	if err != nil {
		fmt.Fprintln(os.Stderr, "indexpilot-analytics alerts run:", err)
		return exitUsage
	}
	cfg.AggregateRetention = time.Duration(days) * 24 * time.Hour
	var level slog.Level
	if err := level.UnmarshalText([]byte(*v["log-level"])); err != nil {
		fmt.Fprintln(os.Stderr, "indexpilot-analytics alerts run: --log-level:", err)
		return exitUsage
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	st, err := database.Open(ctx, *v["database"])
	if err != nil {
		fmt.Fprintln(os.Stderr, "indexpilot-analytics alerts run:", err)
		return exitError
	}
	defer st.Close()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	res, err := service.NewEvaluator(st, cfg, o, log).Run(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, "indexpilot-analytics alerts run:", err)
		return exitError
	}
	return printAlerts(res, o.Notify.Enabled())
}

// printAlerts prints what an evaluation found and delivered, and returns
// the exit code.
func printAlerts(res *alerts.Result, channels bool) int {
	fmt.Printf("%d alerts hold at %s.\n", len(res.Alerts), res.At.Format(time.RFC3339))
	if !channels {
		for _, a := range res.Alerts {
			fmt.Printf("  %s: %s\n", a.Key, a.Title)
		}
		fmt.Println("No channel configured (--webhook, --smtp-url): nothing delivered.")
		return exitOK
	}
	code := exitOK
	for _, d := range res.Deliveries {
		if d.Err != nil {
			fmt.Printf("FAILED to deliver %d alerts to %s %s: %v\n", len(d.Keys), d.Channel, d.Target, d.Err)
			code = exitError
			continue
		}
		fmt.Printf("Delivered to %s %s: %s\n", d.Channel, d.Target, strings.Join(d.Keys, ", "))
	}
	if len(res.Deliveries) == 0 {
		fmt.Println("Nothing new to deliver.")
	}
	return code
}
