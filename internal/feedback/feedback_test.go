package feedback

import (
	"context"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/store"
	"github.com/indexpilot/indexpilot-telemetry/internal/store/sqlite/sqlitetest"
	"github.com/indexpilot/indexpilot-telemetry/report"
)

var now = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// Planted secrets: none may reach the store.
var planted = []string{"hunter2", "db.internal", "jane.doe@example.org", "10.1.2.3", "ghp_abcdefghijklmnopqrstuvwxyz0123456789", "jdoe"}

const secretMessage = "It broke with postgres://admin:hunter2@db.internal:5432/prod; mail jane.doe@example.org, " +
	"host 10.1.2.3, token ghp_abcdefghijklmnopqrstuvwxyz0123456789, log in /home/jdoe/indexpilot.log"

func TestPrepareScrubsAgain(t *testing.T) {
	d := &report.DecodedFeedback{Feedback: report.Feedback{Message: secretMessage, Rating: 2,
		FeatureRequests: []string{"auto rollback", "alerts to jane.doe@example.org"}, InstallationID: "inst-00000001",
		FeedbackID: "0a1b2c3d-0000-4000-8000-000000000001", Version: "1.1.0"}}
	it, err := Scrubber{}.Prepare(d, now, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range planted {
		if strings.Contains(it.Message, s) || strings.Contains(strings.Join(it.Requests, " "), s) {
			t.Errorf("%q survived: %q %q", s, it.Message, it.Requests)
		}
	}
	if !slices.Equal(it.Requests, []string{"auto_rollback", "alerts to [email]"}) || it.InstallationID != "" ||
		it.Key != "client:0a1b2c3d-0000-4000-8000-000000000001" || it.Votes != 1 || !it.Received.Equal(now) {
		t.Errorf("prepared %+v", it)
	}
	if linked, _ := (Scrubber{}).Prepare(d, now, true); linked.InstallationID != "inst-00000001" {
		t.Errorf("a keyed feedback lost its installation: %+v", linked)
	}
	// A scrubber that panics drops the feedback; the message is not in the error.
	_, err = Scrubber{Text: func(string) string { panic(secretMessage) }}.Prepare(d, now, false)
	if !errors.Is(err, ErrScrub) || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("panicking scrubber: %v", err)
	}
	// Scrubbing that lengthens a message at the limit cuts it, marked.
	long := &report.DecodedFeedback{Feedback: report.Feedback{Message: strings.Repeat("a@b.io ", report.MaxFeedbackChars/7)}}
	if it, err := (Scrubber{}).Prepare(long, now, false); err != nil || !strings.HasSuffix(it.Message, "…[truncated]") ||
		len([]rune(it.Message)) != report.MaxFeedbackChars {
		t.Errorf("lengthened message: %d characters, %v", len([]rune(it.Message)), err)
	}
}

func open(t *testing.T) store.Store {
	t.Helper()
	st, _ := sqlitetest.Open(t)
	return st
}

func importFile(t *testing.T, st store.Store, name string, m *Mapping, at time.Time) ImportResult {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res, err := ImportGitHub(context.Background(), st, name, f, m, at)
	if err != nil {
		t.Fatalf("import %s: %v", name, err)
	}
	return res
}

func votesOf(t *testing.T, st store.Store) map[string]store.FeatureVote {
	t.Helper()
	list, err := st.FeatureVotes(context.Background(), now.Add(-24*time.Hour), now.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]store.FeatureVote{}
	for _, v := range list {
		out[v.Feature] = v
	}
	return out
}

// TestImportRecordedExport imports a recorded `gh issue list --json ...`
// export: feature requests become votes (👍 + 1), bugs and questions are
// skipped, a second import changes nothing, a newer export updates.
func TestImportRecordedExport(t *testing.T) {
	st := open(t)
	first := importFile(t, st, "gh-issue-list.json", DefaultMapping(), now)
	if first != (ImportResult{ImportCounts: store.ImportCounts{Added: 7}, Skipped: 5}) {
		t.Fatalf("first import: %+v", first)
	}
	want := map[string]int64{"auto_rollback": 15, "predictive_indexing": 10, "approval_workflow": 6, "workload_analysis": 5,
		"Support multi-column (composite) index candidates": 24, "Expose a Prometheus endpoint for IndexPilot's own metrics": 12,
		"Email digest to [email] when an index is rolled back": 7}
	got := votesOf(t, st)
	if len(got) != len(want) {
		t.Errorf("votes %+v, want %v", got, want)
	}
	for f, n := range want {
		if got[f].GitHub != n || got[f].Client != 0 {
			t.Errorf("%s: %+v, want %d GitHub votes", f, got[f], n)
		}
	}
	again := importFile(t, st, "gh-issue-list.json", DefaultMapping(), now.Add(time.Hour))
	if again != (ImportResult{ImportCounts: store.ImportCounts{Unchanged: 7}, Skipped: 5}) {
		t.Errorf("second import of the same file: %+v", again)
	}
	if after := votesOf(t, st); !maps.Equal(after, got) {
		t.Errorf("a second import changed the counts: %+v, then %+v", got, after)
	}
	later := importFile(t, st, "gh-issue-list-later.json", DefaultMapping(), now.Add(2*time.Hour))
	if later != (ImportResult{ImportCounts: store.ImportCounts{Added: 1, Updated: 3, Unchanged: 4}, Skipped: 5}) {
		t.Errorf("newer export: %+v", later)
	}
	v := votesOf(t, st)
	if v["auto_rollback"].GitHub != 20 || v["predictive_indexing"].GitHub != 12 ||
		v["Support BRIN indexes for append-only time-series tables"].GitHub != 3 {
		t.Errorf("votes after the newer export: %+v", v)
	}
}

func TestImportWithMapping(t *testing.T) {
	m, err := ReadMapping("map.txt", strings.NewReader(`# IndexPilot's triage labels
request-label enhancement
request-label "help wanted"   # composite indexes are wanted
label "area: rollback" auto_rollback
word prometheus metrics_endpoint
word "multi-column" composite_indexes
word digest "E-mail digests"
`))
	if err != nil {
		t.Fatal(err)
	}
	st := open(t)
	importFile(t, st, "gh-issue-list.json", m, now)
	v := votesOf(t, st)
	for f, n := range map[string]int64{"metrics_endpoint": 12, "composite_indexes": 24, "E-mail digests": 7, "auto_rollback": 15} {
		if v[f].GitHub != n {
			t.Errorf("%s: %+v, want %d", f, v[f], n)
		}
	}
}

func TestMalformedFiles(t *testing.T) {
	for _, tc := range []struct{ name, text, want string }{
		{"export", `{"number": 1}`, "export:1: not a gh issue export"},
		{"export", "[\n{\"number\":1,\"title\":\"x\",\"url\":\"https://github.com/a/b/issues/1\",\"createdAt\":\"2026-01-01T00:00:00Z\"},\n{\"number\":\"2\"}\n]",
			"export:3: issue 2: number: must be a whole number, not a JSON string"},
		{"export", "[\n{\"number\":1,\"title\":\"x\",\"url\":\"https://evil.example/a/b/issues/1\",\"createdAt\":\"2026-01-01T00:00:00Z\"}]",
			"export:2: issue 1 (#1): url: must be the issue's address"},
		{"export", "[\n{\"number\":1,\"title\":\"\",\"url\":\"https://github.com/a/b/issues/1\"}]", "export:2: issue 1 (#1): title: must not be empty"},
		{"export", "[\n{\"number\":1,\"title\":\"x\",\"url\":\"https://github.com/a/b/issues/1\"}]", "export:2: issue 1 (#1): createdAt: is required"},
		{"export", "[\n{\"number\":1,\"title\":\"x\",\"createdAt\":\"yesterday\"}]", "export:2: issue 1: createdAt: must be an RFC 3339 time"},
		{"export", "[{\"number\":1,\"title\":\"x\",\"url\":\"https://github.com/a/b/issues/1\",\"createdAt\":\"2026-01-01T00:00:00Z\"},\n\n{\"number\":1,", "export:3: issue 2: the file ends in the middle of it"},
		{"export", "[\n{\"number\":1,\"title\":\"x\",\"url\":\"https://github.com/a/b/issues/1\",\"createdAt\":\"2026-01-01T00:00:00Z\"},\n{\"number\":1,\"title\":\"x\",\"url\":\"https://github.com/a/b/issues/1\",\"createdAt\":\"2026-01-01T00:00:00Z\"}]",
			"export:3: issue 2: https://github.com/a/b/issues/1 is listed twice (first on line 2)"},
		{"export", "[]\n[]", "export:2: text after the array of issues"},
		{"map", "word rollback auto_rollback\nlable x y", "map:2: unknown rule \"lable\""},
		{"map", "\n\nword \"auto rollback auto_rollback", "map:3: a quote is not closed"},
		{"map", "label enhancement", "map:1: label takes 2 argument(s), got 1"},
		{"map", "word ... auto_rollback", "map:1: word: \"...\" holds no word"},
	} {
		var err error
		if tc.name == "export" {
			_, err = ReadExport(tc.name, strings.NewReader(tc.text))
		} else {
			_, err = ReadMapping(tc.name, strings.NewReader(tc.text))
		}
		var ie *InputError
		if !errors.As(err, &ie) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s %.50q: got %v, want %q", tc.name, tc.text, err, tc.want)
		}
	}
}

func TestSummary(t *testing.T) {
	st := open(t)
	add := func(hoursAgo, rating int, version string, requests ...string) {
		t.Helper()
		it := store.FeedbackItem{Source: store.SourceClient, Received: now.Add(-time.Duration(hoursAgo) * time.Hour),
			Message: "<script>alert(1)</script>", Rating: rating, Version: version, Requests: requests, Votes: 1}
		if _, _, err := st.AddFeedback(context.Background(), it); err != nil {
			t.Fatal(err)
		}
	}
	add(1, 5, "1.1.0", "qpg")
	add(2, 4, "1.1.0")
	add(30, 1, "1.0.1", "qpg", "cortex")
	add(24*10, 3, "1.0.1") // outside a 7-day window
	add(3, 0, "")
	sum, err := (&Service{Store: st}).Summary(context.Background(), now, Query{Days: 7, Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Total != 4 || sum.Rated != 3 || *sum.AverageRating != 3.33 || sum.Ratings["5"] != 1 || sum.Ratings["3"] != 0 ||
		len(sum.Ratings) != 5 || len(sum.Feedback) != 2 || sum.Feedback[0].Rating == nil || *sum.Feedback[0].Rating != 5 {
		t.Errorf("summary %+v", sum)
	}
	if len(sum.RatingsByDay) != 7 || sum.RatingsByDay[6].Counts != [5]int64{0, 0, 0, 1, 1} || *sum.RatingsByDay[6].Average != 4.5 ||
		sum.RatingsByDay[5].Counts[0] != 1 || sum.RatingsByDay[0].Average != nil || sum.To != "2026-11-25" || sum.From != "2026-11-19" {
		t.Errorf("ratings by day %+v", sum.RatingsByDay)
	}
	if len(sum.FeatureRequests) != 2 || sum.FeatureRequests[0] != (Votes{Feature: "qpg", Votes: 2, Client: 2}) {
		t.Errorf("feature requests %+v", sum.FeatureRequests)
	}
	v, err := (&Service{Store: st}).Summary(context.Background(), now, Query{Days: 7, Version: "1.0.1", Limit: 10})
	if err != nil || v.Total != 1 || v.Rated != 1 || len(v.FeatureRequests) != 2 || !slices.Equal(v.Versions, []string{"1.0.1", "1.1.0"}) {
		t.Errorf("version 1.0.1: %+v, %v", v, err)
	}
}
