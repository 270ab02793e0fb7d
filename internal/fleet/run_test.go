package fleet_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/fleet"
	"github.com/indexpilot/indexpilot-telemetry/report"
)

func runContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// checkDelivered checks that every planned report arrived, a re-sent one
// twice, and nothing else.
func checkDelivered(t *testing.T, s *server, plan []fleet.Planned) (resent int) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, pl := range plan {
		want := 1
		if pl.Resend {
			want, resent = 2, resent+1
		}
		if got := s.deliveries[pl.Report.ReportID]; got != want {
			t.Errorf("report %s arrived %d times, want %d", pl.Report.ReportID, got, want)
		}
	}
	if len(s.deliveries) != len(plan) {
		t.Errorf("server got %d distinct reports, planned %d", len(s.deliveries), len(plan))
	}
	if len(s.decodeErrs) > 0 {
		t.Errorf("server refused reports: %v", s.decodeErrs)
	}
	return resent
}

func installations(plan []fleet.Planned) int {
	seen := map[int]bool{}
	for _, pl := range plan {
		seen[pl.Installation] = true
	}
	return len(seen)
}

// TestRunFleetKey sends a small fleet with a fleet key through a server
// that answers 503 to some first tries and hangs up on others.
func TestRunFleetKey(t *testing.T) {
	s := newServer(t, "fleet-secret")
	s.unavailable, s.hangUp = 4, 3
	var progress bytes.Buffer
	c := fleet.Config{
		Target: s.URL, Key: "fleet-secret", Installations: 25, Days: 7, Seed: 11,
		Concurrency: 8, RetryRate: 0.1, Now: time.Now(), Progress: &progress,
	}
	plan := fleet.Generate(c)
	sum, err := fleet.Run(runContext(t), c)
	if err != nil {
		t.Fatalf("Run: %v (%+v)", err, sum)
	}
	resent := checkDelivered(t, s, plan)
	s.checkWaits(t, 4)
	if resent == 0 {
		t.Fatal("no report was planned to be re-sent: the test proves nothing about duplicates")
	}
	want := fleet.Summary{
		Sent: len(plan) + resent, Acknowledged: len(plan) + resent, Duplicates: resent,
		Retried: 7, Installations: installations(plan), Elapsed: sum.Elapsed,
	}
	if sum != want {
		t.Errorf("summary %+v, want %+v", sum, want)
	}
	s.mu.Lock()
	for _, pl := range plan {
		if got := s.installOf[pl.Report.ReportID]; got != pl.Report.InstallationID {
			t.Errorf("report %s arrived for installation %q, planned %q", pl.Report.ReportID, got, pl.Report.InstallationID)
		}
	}
	if opened, limit := s.opened.Load(), int64(2*c.Concurrency+3); opened > limit { // a hang-up costs a connection
		t.Errorf("%d connections for %d requests, want at most %d: keep-alive is not working", opened, sum.Sent+sum.Retried, limit)
	}
	if s.gzipped == 0 {
		t.Error("no report was sent gzipped")
	}
	s.mu.Unlock()
	if !strings.Contains(progress.String(), "reports") {
		t.Errorf("progress bar output %q", progress.String())
	}
}

// TestRunRegisters: without a fleet key each installation registers once,
// though workers handle its reports concurrently, and sends under the id
// the server assigned.
func TestRunRegisters(t *testing.T) {
	s := newServer(t, "")
	c := fleet.Config{Target: s.URL, Installations: 12, Days: 5, Seed: 5, RetryRate: 0.2, Now: time.Now()}
	plan := fleet.Generate(c)
	sum, err := fleet.Run(runContext(t), c)
	if err != nil {
		t.Fatalf("Run: %v (%+v)", err, sum)
	}
	resent := checkDelivered(t, s, plan)
	s.mu.Lock()
	defer s.mu.Unlock()
	if n := installations(plan); len(s.keys) != n || s.registrations != n {
		t.Errorf("%d installations registered in %d requests, want %d", len(s.keys), s.registrations, n)
	}
	byPlanned := map[string]string{} // planned installation id: assigned id
	for _, pl := range plan {
		got := s.installOf[pl.Report.ReportID]
		if prev, ok := byPlanned[pl.Report.InstallationID]; ok && prev != got {
			t.Errorf("installation %s sent as %s and as %s", pl.Report.InstallationID, prev, got)
		}
		byPlanned[pl.Report.InstallationID] = got
	}
	if sum.Retried != 0 || sum.Duplicates != resent || sum.Acknowledged != len(plan)+resent {
		t.Errorf("summary %+v: want no retry, %d duplicates, %d acknowledged", sum, resent, len(plan)+resent)
	}
}

// TestRunRegisterRateLimited: a 429 on registration is retried after its
// Retry-After. One worker, so that the server's second registration
// request is the retry.
func TestRunRegisterRateLimited(t *testing.T) {
	s := newServer(t, "")
	s.limitFirst = true
	c := fleet.Config{Target: s.URL, Installations: 3, Days: 2, Seed: 5, Concurrency: 1, Now: time.Now()}
	plan := fleet.Generate(c)
	sum, err := fleet.Run(runContext(t), c)
	if err != nil {
		t.Fatalf("Run: %v (%+v)", err, sum)
	}
	checkDelivered(t, s, plan)
	s.checkWaits(t, 1)
	if sum.Retried != 1 || sum.Installations != installations(plan) {
		t.Errorf("summary %+v: want 1 retry, %d installations", sum, installations(plan))
	}
}

// TestRunRejected: a 400 is a bug; Run counts it, delivers the rest and
// returns the server's field error.
func TestRunRejected(t *testing.T) {
	s := newServer(t, "k")
	c := fleet.Config{Target: s.URL, Key: "k", Installations: 10, Days: 3, Seed: 9, RetryRate: 0.5, Now: time.Now()}
	plan := fleet.Generate(c)
	bad := plan[len(plan)/2]
	s.reject = bad.Report.ReportID
	sum, err := fleet.Run(runContext(t), c)
	var fe *report.FieldError
	if !errors.As(err, &fe) || fe.Field != "metrics.indexes_created" {
		t.Fatalf("Run returned %v, want the server's field error", err)
	}
	if sum.Rejected != 1 || sum.Failed != 0 || sum.Acknowledged != sum.Sent-1 {
		t.Errorf("summary %+v: want 1 rejected, the rest acknowledged", sum)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.deliveries) != len(plan)-1 {
		t.Errorf("server got %d reports, want all %d but the rejected one", len(s.deliveries), len(plan)-1)
	}
}

// TestRunWrongKey: a 401 means no report can get through; Run stops.
func TestRunWrongKey(t *testing.T) {
	s := newServer(t, "right")
	c := fleet.Config{Target: s.URL, Key: "wrong", Installations: 50, Days: 30, Seed: 1, Now: time.Now()}
	sum, err := fleet.Run(runContext(t), c)
	if err == nil || !strings.Contains(err.Error(), "401") {
		t.Fatalf("Run returned %v, want a 401 error", err)
	}
	if total := len(fleet.Generate(c)); sum.Sent > total/10 {
		t.Errorf("sent %d of %d reports after a 401", sum.Sent, total)
	}
}

func TestRunConfig(t *testing.T) {
	ok := fleet.Config{Target: "http://127.0.0.1:1", Installations: 1, Days: 1}
	for name, mutate := range map[string]func(*fleet.Config){
		"no installations": func(c *fleet.Config) { c.Installations = 0 },
		"no days":          func(c *fleet.Config) { c.Days = 0 },
		"beyond retention": func(c *fleet.Config) { c.Days = fleet.MaxDays + 1 },
		"retry rate":       func(c *fleet.Config) { c.RetryRate = 1.5 },
		"target":           func(c *fleet.Config) { c.Target = "127.0.0.1:8080" },
	} {
		c := ok
		mutate(&c)
		if _, err := fleet.Run(context.Background(), c); err == nil || !strings.HasPrefix(err.Error(), "fleet: ") {
			t.Errorf("%s: Run returned %v, want a configuration error", name, err)
		}
	}
}
