package storetest

import (
	"fmt"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/rollup"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
)

// feedbackTests are the suite's cases for feedback; Run runs them.
var feedbackTests = []suiteCase{
	{"FeedbackStoredOnce", testFeedbackStoredOnce},
	{"FeatureVotes", testFeatureVotes},
	{"FeedbackImportIdempotent", testFeedbackImport},
	{"FeedbackWindow", testFeedbackWindow},
	{"FeedbackRetention", testFeedbackRetention},
	{"FeedbackDeletedWithInstallation", testFeedbackDeleted},
	{"FeedbackConcurrentRetries", testFeedbackConcurrent},
}

// ClientFeedback is a client's feedback received hoursAgo hours before
// Now, with a key made of seq (none when seq is 0).
func ClientFeedback(seq, hoursAgo int, installation, version string, rating int, requests ...string) store.FeedbackItem {
	it := store.FeedbackItem{Source: store.SourceClient, Received: Now.Add(-time.Duration(hoursAgo) * time.Hour),
		InstallationID: installation, Version: version, Rating: rating, Message: fmt.Sprintf("feedback %d: works well", seq),
		Requests: requests, Votes: 1}
	if seq != 0 {
		it.Key = fmt.Sprintf("client:00000000-0000-4000-a000-%012d", seq)
	}
	return it
}

// GitHubIssue is an imported issue with its 👍 reactions.
func GitHubIssue(number int, thumbsUp int64, requests ...string) store.FeedbackItem {
	url := fmt.Sprintf("https://github.com/indexpilot/indexpilot/issues/%d", number)
	return store.FeedbackItem{Key: "github:" + url, Source: store.SourceGitHub, Received: Now.Add(-time.Hour),
		Message: fmt.Sprintf("Feature request #%d", number), URL: url, Requests: requests, Votes: thumbsUp + 1}
}

func addFeedback(t *testing.T, s store.Store, it store.FeedbackItem) (int64, bool) {
	t.Helper()
	id, inserted, err := s.AddFeedback(ctx(t), it)
	if err != nil {
		t.Fatalf("AddFeedback: %v", err)
	}
	return id, inserted
}

func votes(t *testing.T, s store.Store, from, to time.Time) map[string]store.FeatureVote {
	t.Helper()
	list, err := s.FeatureVotes(ctx(t), from, to)
	if err != nil {
		t.Fatalf("FeatureVotes: %v", err)
	}
	out := map[string]store.FeatureVote{}
	for _, v := range list {
		out[v.Feature] = v
	}
	return out
}

// allTime is a window holding every feedback of the suite.
var allFrom, allTo = Now.Add(-400 * 24 * time.Hour), Now.Add(time.Hour)

func testFeedbackStoredOnce(t *testing.T, s store.Store) {
	it := ClientFeedback(1, 2, "inst-feedback-1", "1.1.0", 4, "auto_rollback")
	id, inserted := addFeedback(t, s, it)
	again, insertedAgain := addFeedback(t, s, it)
	if !inserted || insertedAgain || again != id {
		t.Fatalf("a feedback and its retry: ids %d, %d, inserted %v, %v; want one stored feedback", id, again, inserted, insertedAgain)
	}
	anon := ClientFeedback(0, 1, "", "", 0)
	a1, _ := addFeedback(t, s, anon)
	a2, ok := addFeedback(t, s, anon)
	if !ok || a1 == a2 {
		t.Fatalf("two sends without a key are two feedback: ids %d, %d", a1, a2)
	}
	if v := votes(t, s, allFrom, allTo); v["auto_rollback"].Client != 1 {
		t.Errorf("votes after a retry: %+v, want one", v)
	}
	got, err := s.FeedbackOf(ctx(t), "inst-feedback-1")
	if err != nil || len(got) != 1 {
		t.Fatalf("FeedbackOf = %+v, %v; want the linked feedback only", got, err)
	}
	want := store.StoredFeedback{ID: id, Received: it.Received, Source: store.SourceClient, Message: it.Message,
		Rating: 4, FeatureRequests: []string{"auto_rollback"}, Votes: 1, Version: "1.1.0"}
	if g := got[0]; g.ID != want.ID || !g.Received.Equal(want.Received) || g.Source != want.Source || g.Message != want.Message ||
		g.Rating != want.Rating || !slices.Equal(g.FeatureRequests, want.FeatureRequests) || g.Votes != 1 || g.Version != want.Version {
		t.Errorf("stored feedback %+v, want %+v", g, want)
	}
}

func testFeatureVotes(t *testing.T, s store.Store) {
	for i, it := range []store.FeedbackItem{
		ClientFeedback(1, 1, "", "1.1.0", 5, "auto_rollback", "brin support"),
		ClientFeedback(2, 30, "inst-votes-2", "1.0.1", 3, "auto_rollback"),
		ClientFeedback(3, 24*100, "", "1.0.0", 2, "auto_rollback"), // outside the window below
	} {
		if _, ok := addFeedback(t, s, it); !ok {
			t.Fatalf("feedback %d not stored", i)
		}
	}
	if _, err := s.ImportFeedback(ctx(t), []store.FeedbackItem{GitHubIssue(17, 12, "auto_rollback"), GitHubIssue(23, 0, "qpg", "brin support")}); err != nil {
		t.Fatal(err)
	}
	got := votes(t, s, Now.Add(-90*24*time.Hour), Now)
	want := map[string]store.FeatureVote{
		"auto_rollback": {Feature: "auto_rollback", Client: 2, GitHub: 13},
		"brin support":  {Feature: "brin support", Client: 1, GitHub: 1},
		"qpg":           {Feature: "qpg", GitHub: 1},
	}
	if !maps.Equal(got, want) {
		t.Errorf("votes over 90 days = %+v, want %+v", got, want)
	}
	// [from, to): a feedback received at to is not counted, one at from is.
	at := ClientFeedback(4, 0, "", "", 0, "cortex").Received
	addFeedback(t, s, ClientFeedback(4, 0, "", "", 0, "cortex"))
	if v := votes(t, s, at.Add(-time.Hour), at); v["cortex"].Client != 0 {
		t.Errorf("a feedback received at the window's end counted: %+v", v["cortex"])
	}
	if v := votes(t, s, at, at.Add(time.Microsecond)); v["cortex"].Client != 1 {
		t.Errorf("a feedback received at the window's start not counted: %+v", v["cortex"])
	}
	list, err := s.FeatureVotes(ctx(t), Now.Add(-90*24*time.Hour), Now)
	if err != nil || len(list) != 3 || list[0].Feature != "auto_rollback" || list[2].Feature != "qpg" {
		t.Errorf("FeatureVotes order: %+v, %v; want the most voted first", list, err)
	}
}

func testFeedbackImport(t *testing.T, s store.Store) {
	c := ctx(t)
	export := []store.FeedbackItem{GitHubIssue(1, 4, "auto_rollback"), GitHubIssue(2, 0, "qpg"), GitHubIssue(3, 9, "cortex")}
	first, err := s.ImportFeedback(c, export)
	if err != nil || first != (store.ImportCounts{Added: 3}) {
		t.Fatalf("first import: %+v, %v", first, err)
	}
	before := votes(t, s, allFrom, allTo)
	second, err := s.ImportFeedback(c, export)
	if err != nil || second != (store.ImportCounts{Unchanged: 3}) {
		t.Fatalf("second import of the same export: %+v, %v; want every issue unchanged", second, err)
	}
	if after := votes(t, s, allFrom, allTo); !maps.Equal(before, after) {
		t.Fatalf("a second import changed the votes: %+v, then %+v", before, after)
	}
	// A newer export: more 👍 on #1, #2 now maps to another feature, #4 is new.
	newer := []store.FeedbackItem{GitHubIssue(1, 6, "auto_rollback"), GitHubIssue(2, 0, "workload_analysis"),
		GitHubIssue(3, 9, "cortex"), GitHubIssue(4, 1, "qpg")}
	newer[0].Received = Now // an update keeps the first import's time
	third, err := s.ImportFeedback(c, newer)
	if err != nil || third != (store.ImportCounts{Added: 1, Updated: 2, Unchanged: 1}) {
		t.Fatalf("newer export: %+v, %v", third, err)
	}
	v := votes(t, s, allFrom, allTo)
	if v["auto_rollback"].GitHub != 7 || v["workload_analysis"].GitHub != 1 || v["qpg"].GitHub != 2 || v["cortex"].GitHub != 10 {
		t.Errorf("votes after a newer export: %+v", v)
	}
	if v := votes(t, s, Now.Add(-30*time.Minute), allTo); v["auto_rollback"].GitHub != 0 {
		t.Errorf("an updated issue moved to its new import's time: %+v", v)
	}
}

func testFeedbackWindow(t *testing.T, s store.Store) {
	for _, it := range []store.FeedbackItem{
		ClientFeedback(1, 50, "", "1.1.0", 5, "qpg"),
		ClientFeedback(2, 49, "", "1.1.0", 5),
		ClientFeedback(3, 26, "", "1.0.1", 2, "qpg"),
		ClientFeedback(4, 3, "", "1.1.0", 0, "cortex"),
		ClientFeedback(5, 2, "", "", 4),
	} {
		addFeedback(t, s, it)
	}
	if _, err := s.ImportFeedback(ctx(t), []store.FeedbackItem{GitHubIssue(7, 2, "qpg")}); err != nil {
		t.Fatal(err)
	}
	w, err := s.FeedbackWindow(ctx(t), store.FeedbackQuery{From: Now.Add(-72 * time.Hour), To: Now, Limit: 3})
	if err != nil {
		t.Fatal(err)
	}
	day := rollup.DayOf(Now)
	wantRatings := []store.RatingCount{{Day: day - 2, Rating: 5, N: 2}, {Day: day - 1, Rating: 2, N: 1}, {Day: day, Rating: 4, N: 1}}
	if w.Total != 6 || !slices.Equal(w.Ratings, wantRatings) || !slices.Equal(w.Versions, []string{"1.0.1", "1.1.0"}) {
		t.Errorf("window: total %d, ratings %+v, versions %v", w.Total, w.Ratings, w.Versions)
	}
	if len(w.Latest) != 3 || w.Latest[0].Source != store.SourceGitHub || w.Latest[1].Message != "feedback 5: works well" ||
		!slices.Equal(w.Latest[2].FeatureRequests, []string{"cortex"}) || w.Latest[1].FeatureRequests == nil {
		t.Errorf("latest: %+v", w.Latest)
	}
	if len(w.Votes) != 2 || w.Votes[0] != (store.FeatureVote{Feature: "qpg", Client: 2, GitHub: 3}) {
		t.Errorf("votes: %+v", w.Votes)
	}
	v, err := s.FeedbackWindow(ctx(t), store.FeedbackQuery{From: Now.Add(-72 * time.Hour), To: Now, Version: "1.1.0", Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	// GitHub's votes carry no version: they stay; its issues are not the version's feedback.
	if v.Total != 3 || len(v.Latest) != 3 || len(v.Ratings) != 1 || v.Ratings[0].N != 2 ||
		v.Votes[0] != (store.FeatureVote{Feature: "qpg", Client: 1, GitHub: 3}) {
		t.Errorf("version 1.1.0: total %d, latest %d, ratings %+v, votes %+v", v.Total, len(v.Latest), v.Ratings, v.Votes)
	}
}

func testFeedbackRetention(t *testing.T, s store.Store) {
	addFeedback(t, s, ClientFeedback(1, 24*400, "", "", 3, "qpg"))
	addFeedback(t, s, ClientFeedback(2, 24*10, "", "", 3, "qpg"))
	n, err := s.RetainFeedback(ctx(t), Now.Add(-365*24*time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("RetainFeedback: %d, %v; want 1 deleted", n, err)
	}
	if v := votes(t, s, Now.Add(-500*24*time.Hour), allTo); v["qpg"].Client != 1 {
		t.Errorf("votes after retention: %+v", v)
	}
}

func testFeedbackDeleted(t *testing.T, s store.Store) {
	addFeedback(t, s, ClientFeedback(1, 1, "inst-feedback-9", "1.1.0", 2, "qpg"))
	addFeedback(t, s, ClientFeedback(2, 1, "", "1.1.0", 2, "qpg"))
	if _, err := s.DeleteInstallation(ctx(t), "inst-feedback-9"); err != nil {
		t.Fatal(err)
	}
	if got, err := s.FeedbackOf(ctx(t), "inst-feedback-9"); err != nil || len(got) != 0 {
		t.Fatalf("feedback of a deleted installation: %+v, %v", got, err)
	}
	if v := votes(t, s, allFrom, allTo); v["qpg"].Client != 1 {
		t.Errorf("votes after deleting an installation: %+v; want the anonymous feedback's only", v)
	}
}

func testFeedbackConcurrent(t *testing.T, s store.Store) {
	var wg sync.WaitGroup
	ids := make([]int64, 8)
	for i := range ids {
		wg.Go(func() {
			id, _, err := s.AddFeedback(ctx(t), ClientFeedback(42, 1, fmt.Sprintf("inst-feedback-c%d", i%2), "1.1.0", 5, "qpg"))
			if err != nil {
				t.Errorf("AddFeedback: %v", err)
			}
			ids[i] = id
		})
	}
	wg.Wait()
	for _, id := range ids[1:] {
		if id != ids[0] {
			t.Fatalf("concurrent retries got ids %v; want one feedback", ids)
		}
	}
	if v := votes(t, s, allFrom, allTo); v["qpg"].Client != 1 {
		t.Errorf("votes after concurrent retries: %+v", v)
	}
}
