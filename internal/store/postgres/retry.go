package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/backoff"
)

// retries is how many times a transaction is run in all when PostgreSQL
// aborts it as deadlocked or unserializable.
const retries = 5

// Backoff before the second, third, … attempt: a first wait of about
// backoffBase, doubling up to backoffCap, each a random fraction of its
// ceiling ("full jitter"), so that the transactions that collided do not
// collide again in step.
const (
	backoffBase = 2 * time.Millisecond
	backoffCap  = 100 * time.Millisecond
)

// withRetry runs try until it succeeds, fails with an error retryable does
// not accept, the context ends, or retries attempts have failed; between
// attempts it waits a jittered, capped, growing backoff.
func withRetry(ctx context.Context, try func() error) error {
	var err error
	for attempt := range retries {
		if attempt > 0 {
			if werr := backoff.Sleep(ctx, backoff.Full(attempt, backoffBase, backoffCap)); werr != nil {
				return fmt.Errorf("postgres: %w while retrying: %w", werr, err)
			}
		}
		if err = try(); !retryable(err) {
			return err
		}
	}
	return fmt.Errorf("postgres: gave up after %d attempts: %w", retries, err)
}
