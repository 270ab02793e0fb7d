// Package backoff is the wait between the attempts of something retried:
// growing, capped, jittered so that the parties that collided do not
// retry in step, and cut short when the context ends.
package backoff

import (
	"context"
	"math/rand/v2"
	"time"
)

// Full returns the wait before retry number n (1 for the first retry):
// a random duration up to first·2ⁿ⁻¹, capped at most ("full jitter").
// first and most must be positive.
func Full(n int, first, most time.Duration) time.Duration {
	ceiling := most
	if shift := max(n-1, 0); shift < 32 && first<<shift < most { // no overflow
		ceiling = first << shift
	}
	return rand.N(ceiling) + 1
}

// Sleep waits d or until ctx ends, whichever comes first; then it returns
// ctx's cause.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}
