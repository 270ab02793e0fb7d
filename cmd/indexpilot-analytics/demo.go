package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/database"
	"github.com/indexpilot/indexpilot-telemetry/internal/fleet"
	"github.com/indexpilot/indexpilot-telemetry/internal/service"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

func cmdDemo(args []string) int {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "Usage: indexpilot-analytics demo [flags]\n\n"+
			"Starts the service on a fresh embedded SQLite store, sends a simulated fleet's\n"+
			"reports through its HTTP API, prints the page URL and an admin token, and keeps\n"+
			"serving until Ctrl-C.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	listen := fs.String("listen", "127.0.0.1:8080", "address to serve on")
	path := fs.String("database", "./data/demo.db", "SQLite file for the demo (replaced at each run)")
	installations := fs.Int("installations", 300, "simulated installations")
	days := fs.Int("days", 90, "days of history")
	exit := fs.Bool("exit-after-load", false, "stop once the fleet is loaded (for scripts and tests)")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := demo(ctx, *listen, *path, *installations, *days, *exit); err != nil {
		fmt.Fprintln(os.Stderr, "indexpilot-analytics demo:", err)
		return exitError
	}
	return exitOK
}

// demoSecretErrors is how many error reports salted with planted secrets
// the demo fleet sends: the errors view shows them scrubbed, and
// 'privacy scan' on the demo's store finds nothing.
const demoSecretErrors = 200

func demo(ctx context.Context, listen, path string, installations, days int, exitAfterLoad bool) error {
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
	v := values{}
	for _, o := range options {
		def := o.def
		v[o.flag] = &def
	}
	*v["listen"], *v["database"], *v["log-level"], *v["public-page"] = listen, dsn, "warn", "true"
	o, err := v.serviceConfig()
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
	fmt.Fprintf(os.Stderr, "Service up at %s on %s; sending %d days of reports from %d installations…\n", base, dsn, days, installations)
	sum, err := fleet.Run(ctx, fleet.Config{Target: base, Key: fleetKey, Installations: installations, Days: days,
		Seed: 1, Concurrency: 32, RetryRate: 0.03, Now: time.Now(), Progress: os.Stderr, SecretErrors: demoSecretErrors})
	printSummary(sum)
	if err == nil {
		err = demoFeedback(ctx, dsn, fleet.Config{Target: base, Key: fleetKey, Installations: installations, Days: days, Seed: 1, Now: time.Now()})
	}
	if err != nil {
		cancel()
		<-done
		return err
	}
	fmt.Printf("\nIndexPilot analytics demo is ready.\n\n  Page:        %s/\n  Public page: %s/public\n  Admin token: %s\n\n"+
		"Open the page and sign in with the token, or:\n  curl -H 'Authorization: Bearer %s' %s/api/v1/dashboard/stats\n\nCtrl-C stops the demo.\n",
		base, base, admin, admin, base)
	if exitAfterLoad {
		cancel()
	}
	return <-done
}

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
