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
