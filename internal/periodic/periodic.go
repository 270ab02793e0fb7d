// Package periodic runs the service's background work on a timer: once
// at start, then at a fixed interval until the context ends. It must
// never run two calls at once nor outlive its context: a caller that
// waits for Every to return knows the work is over.
package periodic

import (
	"context"
	"time"
)

// Every calls fn at once and then every d until ctx ends, and returns
// when it has. A call that outlasts d delays the next one rather than
// overlapping it; a call under way when ctx ends sees ctx's end and is
// waited for. d must be positive.
func Every(ctx context.Context, d time.Duration, fn func(context.Context)) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		fn(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
