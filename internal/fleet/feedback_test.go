package fleet_test

import (
	"bytes"
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/feedback"
	"github.com/indexpilot/indexpilot-telemetry/internal/fleet"
	"github.com/indexpilot/indexpilot-telemetry/internal/server/servertest"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

// realService starts the analytics service on SQLite and returns its URL,
// a fleet key and its store.
func realService(t *testing.T) (string, string, store.Store) {
	t.Helper()
	url, st := servertest.Start(t, servertest.Options{})
	return url, servertest.FleetKey(t, st, "fleet"), st
}

// TestFleetFeedback: the fleet's users' feedback and its GitHub issues
// reach the service and count as the votes GenerateFeedback and
// GitHubExport say; sending or importing again counts nothing twice.
func TestFleetFeedback(t *testing.T) {
	url, key, st := realService(t)
	now := time.Now().UTC()
	c := fleet.Config{Target: url, Key: key, Installations: 200, Days: 60, Seed: 3, Now: now}
	planned := fleet.GenerateFeedback(c)
	if len(planned) < 10 || !reflect.DeepEqual(planned, fleet.GenerateFeedback(c)) {
		t.Fatalf("%d planned feedback, or not the same twice", len(planned))
	}
	want := map[string]int64{}
	for _, pf := range planned {
		f := pf.Feedback
		if err := f.Validate(); err != nil || pf.Time.After(now) || pf.Time.Before(now.Add(-60*24*time.Hour)) {
			t.Fatalf("planned feedback %+v at %v: %v", f, pf.Time, err)
		}
		for _, r := range f.FeatureRequests {
			want[r]++
		}
	}
	ctx := context.Background()
	sum, err := fleet.SendFeedback(ctx, c)
	if err != nil || sum != (fleet.FeedbackSummary{Sent: len(planned), Stored: len(planned)}) {
		t.Fatalf("SendFeedback: %+v, %v", sum, err)
	}
	if again, err := fleet.SendFeedback(ctx, c); err != nil || again.Duplicates != len(planned) {
		t.Fatalf("sending again: %+v, %v; want every feedback a duplicate", again, err)
	}
	res, err := feedback.ImportGitHub(ctx, st, "issues", bytes.NewReader(fleet.GitHubExport(c)), feedback.DefaultMapping(), now)
	if err != nil || res.Added != 9 || res.Skipped != 2 {
		t.Fatalf("import of the fleet's issues: %+v, %v", res, err)
	}
	votes, err := st.FeatureVotes(ctx, now.Add(-61*24*time.Hour), now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	github := 0
	for _, v := range votes {
		if v.Client != want[v.Feature] {
			t.Errorf("%s: %d votes from users, want %d", v.Feature, v.Client, want[v.Feature])
		}
		if v.GitHub > 0 {
			github++
		}
	}
	if github != 9 {
		t.Errorf("%d features with GitHub votes, want 9: %+v", github, votes)
	}
	w, err := st.FeedbackWindow(ctx, store.FeedbackQuery{From: now.Add(-61 * 24 * time.Hour), To: now.Add(time.Hour), Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range w.Latest {
		if strings.Contains(f.Message, "s3cret") || strings.Contains(f.Message, "@example.org") {
			t.Errorf("a planted secret was stored: %q", f.Message)
		}
	}
}
