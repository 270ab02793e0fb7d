package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/server"
	"github.com/indexpilot/indexpilot-telemetry/internal/service"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
	"github.com/indexpilot/indexpilot-telemetry/internal/weekly"
)

const reportHelp = `Usage: indexpilot-analytics report weekly --database D [--week 2026-W48]
       [--format json|md|html] [--send [--webhook URL] [--smtp-url URL --alert-email-to ADDR[,ADDR]]]

Prints the weekly report of one ISO week (Monday to Sunday, UTC; the last
complete week by default): the summary (new, active and total
installations, reports, indexes created, average improvement), each figure
against the week before, the trends, the insights (top features, algorithms
needing work, new or growing error groups, release health, anomalies,
experiments decided) and the recommendations, most important first. Every
figure is the dashboard's and the API's for the same days (docs/weekly.md).

With --send it delivers the report through the alert channels instead of
printing it: the webhook gets the Markdown in "text", the e-mail the HTML
with a plain-text part; the subject names the week. The delivery is
recorded in the sent ledger, so serve does not send that week again. Exit
status: 0 when every delivery succeeded, 1 otherwise.

serve sends the last week's report by itself on Monday from
--weekly-report-hour (UTC) when a channel is configured, once per week
even across restarts.`

var reportOptions = append([]string{"database", "aggregate-retention-days", "raw-retention-days", "log-level",
	"priority-weights", "algorithm-min-success-rate", "algorithm-min-improvement", "algorithm-min-installations"}, notifyOptions...)

func (c cli) report(args []string) int {
	fs := c.flags("report weekly", reportHelp)
	v := register(fs, reportOptions...)
	week := fs.String("week", "", "the ISO week, such as 2026-W48 (default: the last complete week)")
	format := fs.String("format", "md", "json, md (Markdown) or html (an HTML e-mail)")
	send := fs.Bool("send", false, "deliver through the alert channels (--webhook, --smtp-url) instead of printing")
	if code, ok := c.parseSubcommand("report", "weekly", fs, args); !ok {
		return code
	}
	cfg, level, err := reportConfig(v)
	if err == nil && *format != "json" && *format != "md" && *format != "html" {
		err = fmt.Errorf("--format: %q is not json, md or html", *format)
	}
	now := time.Now().UTC()
	p := weekly.LastComplete(now)
	if err == nil && *week != "" {
		p, err = weekly.ParseWeek(*week, now)
	}
	notifyCfg, nerr := v.notifyConfig()
	if err == nil && nerr != nil {
		err = nerr
	}
	if err == nil && *send && !notifyCfg.Enabled() {
		err = fmt.Errorf("--send needs a channel: --webhook URL or --smtp-url URL with --alert-email-to")
	}
	if err != nil {
		fmt.Fprintln(c.err, "indexpilot-analytics report weekly:", err)
		return exitUsage
	}
	code := exitOK
	failed := c.onStoreUntilSignal("report weekly", *v["database"], level, func(ctx context.Context, st store.Store, log *slog.Logger) error {
		sender := service.NewWeeklySender(st, cfg, notifyCfg, log)
		if *send {
			ds, err := sender.Send(ctx, p, now, true)
			code = c.printDeliveries(ds)
			return err
		}
		r, err := sender.Builder.Build(ctx, p)
		if err != nil {
			return err
		}
		return c.printReport(r, *format)
	})
	return max(failed, code)
}

// reportConfig validates the options report weekly shares with serve.
func reportConfig(v values) (server.Config, slog.Level, error) {
	cfg := server.DefaultConfig()
	var level slog.Level
	agg, err := v.int("aggregate-retention-days")
	if err != nil {
		return cfg, level, err
	}
	raw, err := v.int("raw-retention-days")
	if err != nil {
		return cfg, level, err
	}
	cfg.AggregateRetention, cfg.RawRetention = time.Duration(agg)*24*time.Hour, time.Duration(raw)*24*time.Hour
	if cfg.Insights, err = v.insightSettings(); err != nil {
		return cfg, level, err
	}
	if err := level.UnmarshalText([]byte(*v["log-level"])); err != nil {
		return cfg, level, fmt.Errorf("--log-level: %w", err)
	}
	return cfg, level, nil
}

func (c cli) printReport(r *weekly.Report, format string) error {
	switch format {
	case "json":
		b, err := json.MarshalIndent(r, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(c.out, "%s\n", b)
		return err
	case "html":
		h, err := weekly.HTML(r)
		if err != nil {
			return err
		}
		_, err = fmt.Fprint(c.out, h)
		return err
	}
	_, err := fmt.Fprint(c.out, weekly.Markdown(r))
	return err
}

// printDeliveries prints what --send did and returns the exit code.
func (c cli) printDeliveries(ds []weekly.Delivery) int {
	code := exitOK
	for _, d := range ds {
		if d.Err != nil {
			fmt.Fprintf(c.out, "FAILED to deliver the report of %s to %s %s: %v\n", d.Week, d.Channel, d.Target, d.Err)
			code = exitError
			continue
		}
		fmt.Fprintf(c.out, "Delivered the report of %s to %s %s\n", d.Week, d.Channel, d.Target)
	}
	return code
}
