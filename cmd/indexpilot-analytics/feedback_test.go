package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/indexpilot/indexpilot-telemetry/internal/pgtest"
	"github.com/indexpilot/indexpilot-telemetry/internal/store"
	"github.com/indexpilot/indexpilot-telemetry/internal/testkit"
)

const recordedExport = "../../internal/feedback/testdata/gh-issue-list.json"

// TestFeedbackVotesFromTheAPIAndAnImport is the feedback channel end to
// end, on both stores: a user's feedback through the running service's
// API and an import of a recorded gh export count in the same features'
// votes, which the feature priorities read (store.FeatureVotes); a second
// import of the same file changes no count; a malformed file exits 2
// naming its line and stores nothing.
func TestFeedbackVotesFromTheAPIAndAnImport(t *testing.T) {
	for name, dsn := range map[string]func(t *testing.T) string{
		"sqlite":     func(t *testing.T) string { return "sqlite:" + filepath.Join(t.TempDir(), "feedback.db") },
		"postgresql": func(t *testing.T) string { return pgtest.New(t) },
	} {
		t.Run(name, func(t *testing.T) { feedbackEndToEnd(t, dsn(t)) })
	}
}

func feedbackEndToEnd(t *testing.T, dsn string) {
	cmd, base := startServe(t, dsn)
	defer testkit.Stop(cmd)
	for _, body := range []string{
		`{"message":"Please let rollback wait a week","rating":4,"feature_requests":["auto rollback"],"version":"1.1.0"}`,
		`{"message":"Composite indexes, please","feature_requests":["auto_rollback","Support multi-column (composite) index candidates"]}`,
	} {
		res, err := http.Post(base+"/api/v1/feedback", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("POST /api/v1/feedback: %d", res.StatusCode)
		}
	}
	code, out, errOut := runCmd(t, "feedback", "import", "--github", recordedExport, "--database", dsn)
	if code != 0 || !strings.Contains(out, "added 7, updated 0, unchanged 0 feature request(s); skipped 5 issue(s)") {
		t.Fatalf("first import: exit %d\n%s%s", code, out, errOut)
	}
	want := map[string]store.FeatureVote{
		"auto_rollback": {Feature: "auto_rollback", Client: 2, GitHub: 15},
		"Support multi-column (composite) index candidates": {Feature: "Support multi-column (composite) index candidates", Client: 1, GitHub: 24},
	}
	checkVotes(t, dsn, want)
	code, out, _ = runCmd(t, "feedback", "import", "--github", recordedExport, "--database", dsn)
	if code != 0 || !strings.Contains(out, "added 0, updated 0, unchanged 7") {
		t.Fatalf("second import of the same file: exit %d\n%s", code, out)
	}
	checkVotes(t, dsn, want)

	broken := filepath.Join(t.TempDir(), "broken.json")
	data, err := os.ReadFile("../../internal/feedback/testdata/gh-issue-list-later.json")
	if err != nil {
		t.Fatal(err)
	}
	// Indented as gh writes it to a terminal, with the fourth issue's
	// number made a string: the import must name that line and store
	// nothing of the three before it.
	var issues []map[string]any
	if err := json.Unmarshal(data, &issues); err != nil {
		t.Fatal(err)
	}
	issues[3]["number"] = "133"
	pretty, _ := json.MarshalIndent(issues, "", "  ")
	if err := os.WriteFile(broken, pretty, 0o600); err != nil {
		t.Fatal(err)
	}
	line := 1 + bytes.Count(pretty[:bytes.Index(pretty, []byte(`"133"`))], []byte("\n"))
	code, _, errOut = runCmd(t, "feedback", "import", "--github", broken, "--database", dsn)
	if wantMsg := broken + ":" + strconv.Itoa(line) + ": issue 4: number: must be a whole number"; code != exitUsage || !strings.Contains(errOut, wantMsg) {
		t.Fatalf("malformed export: exit %d, %q; want 2 and %q", code, errOut, wantMsg)
	}
	checkVotes(t, dsn, want)

	// The API lists what the priorities read.
	_, admin, _ := runCmd(t, "keys", "create", "--kind", "admin", "--database", dsn)
	req, _ := http.NewRequest("GET", base+"/api/v1/feedback?days=7", nil)
	req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(admin))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var sum struct {
		FeatureRequests []struct {
			Feature               string
			Votes, Client, GitHub int64
		} `json:"feature_requests"`
	}
	if err := json.NewDecoder(res.Body).Decode(&sum); err != nil || res.StatusCode != 200 {
		t.Fatalf("GET /api/v1/feedback: %d %v", res.StatusCode, err)
	}
	top := sum.FeatureRequests[0]
	if top.Feature != "Support multi-column (composite) index candidates" || top.Votes != 25 || top.Client != 1 || top.GitHub != 24 {
		t.Errorf("most requested: %+v", top)
	}
}

// checkVotes reads store.FeatureVotes over the last week and compares the
// features of want.
func checkVotes(t *testing.T, dsn string, want map[string]store.FeatureVote) {
	t.Helper()
	ctx := context.Background()
	st := openStore(t, dsn)
	defer st.Close()
	list, err := st.FeatureVotes(ctx, time.Now().Add(-7*24*time.Hour), time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]store.FeatureVote{}
	for _, v := range list {
		got[v.Feature] = v
	}
	for f, w := range want {
		if got[f] != w {
			t.Errorf("votes for %s: %+v, want %+v", f, got[f], w)
		}
	}
	if len(got) != 7 {
		t.Errorf("%d features voted for, want the export's 7: %+v", len(got), got)
	}
}
