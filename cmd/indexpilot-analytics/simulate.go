package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/fleet"
)

func (c cli) simulate(args []string) int {
	fs := c.flags("simulate", "Usage: indexpilot-analytics simulate --target URL [--key FLEET_KEY] [flags]\n\n"+
		"Sends DAYS days of realistic reports from N simulated installations through the\n"+
		"service's real HTTP API. Without --key each installation registers itself as a\n"+
		"real client would (registration is rate-limited per address; the simulator\n"+
		"waits as told by Retry-After).")
	f := fleet.Config{Installations: 100, Days: 30, Seed: 1, Concurrency: 8, RetryRate: 0.03}
	fs.StringVar(&f.Target, "target", "http://127.0.0.1:8080", "base URL of the service")
	fs.StringVar(&f.Key, "key", os.Getenv("INDEXPILOT_ANALYTICS_FLEET_KEY"), "fleet key ($INDEXPILOT_ANALYTICS_FLEET_KEY); empty: register each installation")
	fleetFlags(fs, &f)
	fs.IntVar(&f.SecretErrors, "secret-errors", 0, "error reports salted with planted secrets to send too; none may be stored (check with 'privacy scan')")
	fs.BoolVar(&f.Structure, "structure", false, "plant what the Insights page should find, as the demo does (a weak algorithm, a popular combination, growing adoption)")
	quiet := fs.Bool("quiet", false, "no progress bar")
	if err := fs.Parse(args); err != nil {
		return parseFailed(err)
	}
	f.Now = time.Now()
	if !*quiet {
		f.Progress = c.err
	}
	return c.untilSignal("simulate", func(ctx context.Context) error {
		sum, err := fleet.Run(ctx, f)
		c.summary(sum)
		return err
	})
}

// fleetFlags adds the flags that shape a simulated fleet to fs, with the
// values of f as their defaults.
func fleetFlags(fs *flag.FlagSet, f *fleet.Config) {
	fs.IntVar(&f.Installations, "installations", f.Installations, "simulated installations")
	fs.IntVar(&f.Days, "days", f.Days, "days of history, ending now")
	fs.Uint64Var(&f.Seed, "seed", f.Seed, "random seed (same seed, same fleet)")
	fs.IntVar(&f.Concurrency, "concurrency", f.Concurrency, "parallel senders")
	fs.Float64Var(&f.RetryRate, "retry-rate", f.RetryRate, "share of reports sent twice, as a client retry would")
}

// summary prints what a fleet's run did.
func (c cli) summary(s fleet.Summary) {
	rate := 0.0
	if s.Elapsed > 0 {
		rate = float64(s.Sent) / s.Elapsed.Seconds()
	}
	fmt.Fprintf(c.err, "sent %d reports from %d installations in %s (%.0f/s): %d acknowledged, %d duplicates, %d retried, %d rejected, %d failed\n",
		s.Sent, s.Installations, s.Elapsed.Round(time.Millisecond), rate, s.Acknowledged, s.Duplicates, s.Retried, s.Rejected, s.Failed)
	if s.ErrorReports > 0 {
		fmt.Fprintf(c.err, "sent %d error reports salted with planted secrets; 'privacy scan' shows whether any was stored\n", s.ErrorReports)
	}
}
