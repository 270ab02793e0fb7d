package backoff

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestFull: every wait is positive and within its ceiling, which doubles
// from first and stops at most; the waits are not all alike.
func TestFull(t *testing.T) {
	first, most := 2*time.Millisecond, 100*time.Millisecond
	for n, ceiling := range map[int]time.Duration{1: 2 * time.Millisecond, 2: 4 * time.Millisecond, 4: 16 * time.Millisecond, 7: 100 * time.Millisecond, 60: 100 * time.Millisecond} {
		seen := map[time.Duration]bool{}
		for range 200 {
			d := Full(n, first, most)
			if d <= 0 || d > ceiling {
				t.Fatalf("Full(%d) = %v, want in (0, %v]", n, d, ceiling)
			}
			seen[d] = true
		}
		if len(seen) < 2 {
			t.Fatalf("Full(%d) gave one value 200 times: no jitter", n)
		}
	}
}

// TestSleepEndsWithTheContext: a cancelled context ends the wait at once
// with its cause; an uncancelled one waits the duration out.
func TestSleepEndsWithTheContext(t *testing.T) {
	cause := errors.New("shutting down")
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(cause)
	if err := Sleep(ctx, time.Hour); !errors.Is(err, cause) {
		t.Fatalf("Sleep on a cancelled context: %v, want %v", err, cause)
	}
	if err := Sleep(context.Background(), time.Millisecond); err != nil {
		t.Fatalf("Sleep: %v", err)
	}
}
