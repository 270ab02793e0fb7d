package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/database"
	"github.com/indexpilot/indexpilot-telemetry/internal/fleet"
	"github.com/indexpilot/indexpilot-telemetry/internal/service"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

func (c cli) demo(args []string) int {
	fs := c.flags("demo", "Usage: indexpilot-analytics demo [flags]\n\n"+
		"Starts the service on a fresh embedded SQLite store, sends a simulated fleet's\n"+
		"reports through its HTTP API, prints the page URL and an admin token, and keeps\n"+
		"serving until Ctrl-C.")
	listen := fs.String("listen", "127.0.0.1:8080", "address to serve on")
	path := fs.String("database", "./data/demo.db", "SQLite file for the demo (replaced at each run)")
	f := fleet.Config{Installations: 300, Days: 90, Seed: 1, Concurrency: 32, RetryRate: 0.03}
	fleetFlags(fs, &f)
	exit := fs.Bool("exit-after-load", false, "stop once the fleet is loaded (for scripts and tests)")
	if err := fs.Parse(args); err != nil {
		return parseFailed(err)
	}
	return c.untilSignal("demo", func(ctx context.Context) error { return c.runDemo(ctx, *listen, *path, f, *exit) })
}

// demoSecretErrors is how many error reports salted with planted secrets
// the demo fleet sends: the errors view shows them scrubbed, and
// 'privacy scan' on the demo's store finds nothing.
const demoSecretErrors = 200

// runDemo serves on a fresh store at path, loads the fleet f into it and
// serves until ctx ends (or, with exitAfterLoad, stops once it is loaded).
func (c cli) runDemo(ctx context.Context, listen, path string, f fleet.Config, exitAfterLoad bool) error {
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if err := os.Remove(path + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("remove the previous demo store: %w", err)
		}
	}
	dsn := "sqlite:" + path
	admin, fleetKey, err := demoKeys(ctx, dsn)
	if err != nil {
		return err
	}
	experiments, err := registerDemoExperiments(ctx, dsn, demoExperiments(time.Now())) // demo_experiments.go
	if err != nil {
		return err
	}
	v := values{}
	for _, o := range options {
		def := o.def
		v[o.flag] = &def
	}
	*v["listen"], *v["database"], *v["log-level"], *v["public-page"] = listen, dsn, "warn", "true"
	o, err := v.serviceConfig(c.err)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ready := make(chan string, 1)
	o.Ready = func(url string) { ready <- url }
	done := make(chan error, 1)
	go func() { done <- service.Run(ctx, o) }()
	var base string
	select {
	case base = <-ready:
	case err := <-done:
		return err
	}
	fmt.Fprintf(c.err, "Service up at %s on %s; sending %d days of reports from %d installations…\n", base, dsn, f.Days, f.Installations)
	f.Target, f.Key, f.Now = base, fleetKey, time.Now()
	load := f
	load.Progress, load.SecretErrors, load.Structure = c.err, demoSecretErrors, true
	load.Scenario = demoScenario
	load.Experiments = experiments
	sum, err := fleet.Run(ctx, load)
	c.summary(sum)
	if err == nil {
		err = c.demoFeedback(ctx, dsn, f)
	}
	if err != nil {
		cancel()
		<-done
		return err
	}
	fmt.Fprintf(c.out, "\nIndexPilot analytics demo is ready.\n\n  Page:           %s/\n  Public page:    %s/public\n  Weekly reports: %s/reports\n  Admin token:    %s\n\n"+
		"Open the page and sign in with the token, or:\n  curl -H 'Authorization: Bearer %s' %s/api/v1/dashboard/stats\n"+
		"  curl -H 'Authorization: Bearer %s' '%s/api/v1/reports/weekly?format=md'\n\nCtrl-C stops the demo.\n",
		base, base, base, admin, admin, base, admin, base)
	if exitAfterLoad {
		cancel()
	}
	return <-done
}

// demoScenario plants a bad release near the end of the demo's period, so
// that the Releases view shows a rollback (and the anomalies it causes)
// out of the box: 1.2.0 errs four times as often as 1.1.1 and improves
// queries less, and most installations take it within a few days.
var demoScenario = fleet.Scenario{Releases: []fleet.Release{{
	Version: "1.2.0", At: 0.9, ErrorMultiplier: 2, Improvement: 15, MedianLagDays: 1.5, LagSpread: 0.7, Share: 0.8,
}}}

// demoKeys creates the demo's admin token and fleet key in a fresh store.
func demoKeys(ctx context.Context, dsn string) (admin, fleetKey string, err error) {
	st, err := database.Open(ctx, dsn)
	if err != nil {
		return "", "", err
	}
	defer st.Close()
	if admin, err = createKey(ctx, st, store.KindAdmin, "demo"); err != nil {
		return "", "", err
	}
	fleetKey, err = createKey(ctx, st, store.KindFleet, "demo-simulator")
	return admin, fleetKey, err
}
