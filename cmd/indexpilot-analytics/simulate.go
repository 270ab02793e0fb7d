package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/fleet"
)

func cmdSimulate(args []string) int {
	fs := flag.NewFlagSet("simulate", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "Usage: indexpilot-analytics simulate --target URL [--key FLEET_KEY] [flags]\n\n"+
			"Sends DAYS days of realistic reports from N simulated installations through the\n"+
			"service's real HTTP API. Without --key each installation registers itself as a\n"+
			"real client would (registration is rate-limited per address; the simulator\n"+
			"waits as told by Retry-After).\n\nFlags:\n")
		fs.PrintDefaults()
	}
	c := fleet.Config{}
	fs.StringVar(&c.Target, "target", "http://127.0.0.1:8080", "base URL of the service")
	fs.StringVar(&c.Key, "key", os.Getenv("INDEXPILOT_ANALYTICS_FLEET_KEY"), "fleet key ($INDEXPILOT_ANALYTICS_FLEET_KEY); empty: register each installation")
	fs.IntVar(&c.Installations, "installations", 100, "simulated installations")
	fs.IntVar(&c.Days, "days", 30, "days of history, ending now")
	seed := fs.Uint64("seed", 1, "random seed (same seed, same fleet)")
	fs.IntVar(&c.Concurrency, "concurrency", 8, "parallel senders")
	fs.Float64Var(&c.RetryRate, "retry-rate", 0.03, "share of reports sent twice, as a client retry would")
	fs.IntVar(&c.SecretErrors, "secret-errors", 0, "error reports salted with planted secrets to send too; none may be stored (check with 'privacy scan')")
	quiet := fs.Bool("quiet", false, "no progress bar")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	c.Seed, c.Now = *seed, time.Now()
	if !*quiet {
		c.Progress = os.Stderr
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	sum, err := fleet.Run(ctx, c)
	printSummary(sum)
	if err != nil {
		fmt.Fprintln(os.Stderr, "indexpilot-analytics simulate:", err)
		return exitError
	}
	return exitOK
}

func printSummary(s fleet.Summary) {
	rate := 0.0
	if s.Elapsed > 0 {
		rate = float64(s.Sent) / s.Elapsed.Seconds()
	}
	fmt.Fprintf(os.Stderr, "sent %d reports from %d installations in %s (%.0f/s): %d acknowledged, %d duplicates, %d retried, %d rejected, %d failed\n",
		s.Sent, s.Installations, s.Elapsed.Round(time.Millisecond), rate, s.Acknowledged, s.Duplicates, s.Retried, s.Rejected, s.Failed)
	if s.ErrorReports > 0 {
		fmt.Fprintf(os.Stderr, "sent %d error reports salted with planted secrets; 'privacy scan' shows whether any was stored\n", s.ErrorReports)
	}
}
