package telemetry_test

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/indexpilot/indexpilot-telemetry/telemetry"
)

// A program that embeds the client shows the user the report before
// asking for consent, and sends from its daily job without ever failing
// because of telemetry.
func Example() {
	ctx := context.Background()
	c := telemetry.New(telemetry.Options{})

	p, err := c.Preview(ctx) // writes and sends nothing
	if err != nil {
		log.Fatal(err) // a *telemetry.ConfigError names the setting and the fix
	}
	os.Stdout.Write(p.Report)

	// After the user agreed:
	ch, err := c.SetMode(ctx, telemetry.On, false)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(ch.Notice)

	// In the daily job: a failure is one line, never the job's failure.
	if _, err := c.Send(ctx); err != nil {
		log.Printf("telemetry: %v", err)
	}
}

// A Go program reports an error where it handles it; telemetry never
// turns the error path into a slower or failing one.
func ExampleClient_ReportError() {
	ctx := context.Background()
	c := telemetry.New(telemetry.Options{})
	if err := createIndex(ctx); err != nil {
		where := telemetry.ErrorContext{Component: "auto_indexer", Operation: "create_index", Tables: []string{"orders"}}
		if rerr := c.ReportError(ctx, err, where); rerr != nil {
			log.Printf("telemetry: %v", rerr) // never the caller's failure
		}
	}
}

func createIndex(context.Context) error {
	return fmt.Errorf("creating an index on orders: %w", os.ErrDeadlineExceeded)
}
