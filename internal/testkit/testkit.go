// Package testkit holds the small helpers that tests of several packages
// share: a log sink safe for concurrent writers, a bounded wait for a
// condition, and the start of a built service binary. Only tests import
// it.
package testkit

import (
	"bytes"
	"sync"
	"testing"
	"time"
)

// Buffer collects what several goroutines (loggers, child processes'
// output) write, for the test to read.
type Buffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p.
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns everything written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// WaitFor polls ok every 10 ms until it holds and returns how long that
// took; after limit it fails the test, naming what it waited for.
func WaitFor(t testing.TB, what string, limit time.Duration, ok func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !ok() {
		if time.Since(start) > limit {
			t.Fatalf("%s: not within %s", what, limit)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return time.Since(start)
}
