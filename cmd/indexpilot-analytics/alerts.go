package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/alerts"
	"github.com/indexpilot/indexpilot-telemetry/internal/server"
	"github.com/indexpilot/indexpilot-telemetry/internal/service"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

const alertsHelp = `Usage: indexpilot-analytics alerts run [--database D] [--webhook URL]
       [--smtp-url smtp://user:password@host:port --alert-email-to ADDR[,ADDR]] [flags]

Evaluates the alerts once — versions recommended for rollback, high-severity
anomalies of the last two whole days, error groups never seen before that
several installations reported — delivers those not delivered within the
suppression window to each channel (the sent ledger in the store remembers,
so the service and a cron job never send one twice), prints what it
delivered and exits: 0 when every delivery succeeded, 1 otherwise. Without a
channel it prints the alerts that hold and delivers nothing.`

func (c cli) alerts(args []string) int {
	fs := c.flags("alerts run", alertsHelp)
	v := register(fs, append([]string{"database", "aggregate-retention-days", "alert-suppress", "log-level"}, notifyOptions...)...)
	if code, ok := c.parseSubcommand("alerts", "run", fs, args); !ok {
		return code
	}
	o, cfg, level, err := alertsConfig(v)
	if err != nil {
		fmt.Fprintln(c.err, "indexpilot-analytics alerts run:", err)
		return exitUsage
	}
	code := exitOK
	failed := c.onStoreUntilSignal("alerts run", *v["database"], level, func(ctx context.Context, st store.Store, log *slog.Logger) error {
		res, err := service.NewEvaluator(st, cfg, o, log).Run(ctx)
		if err != nil {
			return err
		}
		code = c.printAlerts(res, o.Notify.Enabled())
		return nil
	})
	return max(failed, code)
}

// alertsConfig validates the options of alerts run.
func alertsConfig(v values) (service.AlertOptions, server.Config, slog.Level, error) {
	cfg := server.DefaultConfig()
	var level slog.Level
	o, err := v.alertOptions()
	if err != nil {
		return o, cfg, level, err
	}
	days, err := v.int("aggregate-retention-days")
	if err != nil {
		return o, cfg, level, err
	}
	cfg.AggregateRetention = time.Duration(days) * 24 * time.Hour
	if err := level.UnmarshalText([]byte(*v["log-level"])); err != nil {
		return o, cfg, level, fmt.Errorf("--log-level: %w", err)
	}
	return o, cfg, level, nil
}

// printAlerts prints what an evaluation found and delivered, and returns
// the exit code.
func (c cli) printAlerts(res *alerts.Result, channels bool) int {
	fmt.Fprintf(c.out, "%d alerts hold at %s.\n", len(res.Alerts), res.At.Format(time.RFC3339))
	if !channels {
		for _, a := range res.Alerts {
			fmt.Fprintf(c.out, "  %s: %s\n", a.Key, a.Title)
		}
		fmt.Fprintln(c.out, "No channel configured (--webhook, --smtp-url): nothing delivered.")
		return exitOK
	}
	code := exitOK
	for _, d := range res.Deliveries {
		if d.Err != nil {
			fmt.Fprintf(c.out, "FAILED to deliver %d alerts to %s %s: %v\n", len(d.Keys), d.Channel, d.Target, d.Err)
			code = exitError
			continue
		}
		fmt.Fprintf(c.out, "Delivered to %s %s: %s\n", d.Channel, d.Target, strings.Join(d.Keys, ", "))
	}
	if len(res.Deliveries) == 0 {
		fmt.Fprintln(c.out, "Nothing new to deliver.")
	}
	return code
}
