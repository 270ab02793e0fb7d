package client

import (
	"io"
	"net"
	"sync/atomic"
	"testing"
	"time"
)

// silentServer accepts connections and never answers: a service that
// hangs. It counts the connections and those the client closed, which is
// how a client that gives up at its deadline shows from the other side.
type silentServer struct {
	ln               net.Listener
	accepted, hungUp atomic.Int64
}

func newSilentServer(t *testing.T) *silentServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &silentServer{ln: ln}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			s.accepted.Add(1)
			go func() {
				defer conn.Close()
				io.Copy(io.Discard, conn) // returns when the client hangs up
				s.hungUp.Add(1)
			}()
		}
	}()
	return s
}

func (s *silentServer) url() string { return "http://" + s.ln.Addr().String() }

// waitHungUp waits until the client has made n connections and closed
// them all. The bound only keeps a broken client from hanging the suite:
// it is far beyond any deadline under test.
func (s *silentServer) waitHungUp(t *testing.T, n int64) {
	t.Helper()
	for end := time.Now().Add(30 * time.Second); s.hungUp.Load() < n || s.accepted.Load() < n; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatalf("the client made %d connections and closed %d, want %d closed", s.accepted.Load(), s.hungUp.Load(), n)
		}
	}
	if a := s.accepted.Load(); a != n {
		t.Errorf("the client made %d connections, want %d", a, n)
	}
}
