package periodic

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

// TestEveryRunsUntilCancelled: fn runs at once, runs again on the
// interval, and Every returns once the context ends, with no call after
// it has returned.
func TestEveryRunsUntilCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var calls atomic.Int64
	third := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		Every(ctx, time.Millisecond, func(context.Context) {
			if calls.Add(1) == 3 {
				close(third)
			}
		})
	}()
	<-third // the first call and two on the interval
	cancel()
	<-done
	after := calls.Load()
	time.Sleep(10 * time.Millisecond)
	if n := calls.Load(); n != after {
		t.Fatalf("%d calls after Every returned", n-after)
	}
}

// TestEveryFirstCallAtOnce: the first call does not wait for the
// interval, and it gets the context Every was given.
func TestEveryFirstCallAtOnce(t *testing.T) {
	type key struct{}
	ctx, cancel := context.WithCancel(context.WithValue(context.Background(), key{}, "given"))
	var got any
	Every(ctx, time.Hour, func(c context.Context) {
		got = c.Value(key{})
		cancel() // an hour's interval: Every returns only because of this
	})
	if got != "given" {
		t.Fatalf("fn got context value %v, want the caller's", got)
	}
}

// TestEveryWaitsForTheCallUnderWay: a call running when the context ends
// finishes before Every returns.
func TestEveryWaitsForTheCallUnderWay(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	started, release := make(chan struct{}), make(chan struct{})
	var finished atomic.Bool
	done := make(chan struct{})
	go func() {
		defer close(done)
		Every(ctx, time.Hour, func(context.Context) {
			close(started)
			<-release
			finished.Store(true)
		})
	}()
	<-started
	cancel()
	select {
	case <-done:
		t.Fatal("Every returned while its call was under way")
	case <-time.After(20 * time.Millisecond):
	}
	close(release)
	<-done
	if !finished.Load() {
		t.Fatal("Every returned before its call finished")
	}
}
