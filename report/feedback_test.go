package report

import (
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestDecodeFeedback(t *testing.T) {
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	d, err := DecodeFeedback([]byte(`{"message":"  Works well\u0000 for us  ","rating":4.0,"feature_requests":["Auto Rollback","auto-rollback","BRIN   index\tsupport"],
		"version":"1.1.0","installation_id":"inst-00000001","feedback_id":"0A1B2C3D-0000-4000-8000-000000000001",
		"timestamp":"2026-11-19T08:00:00Z","email":"someone@example.com"}`), now, 365*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	want := Feedback{Message: "Works well\uFFFD for us", Rating: 4, FeatureRequests: []string{"auto_rollback", "BRIN index support"},
		Version: "1.1.0", InstallationID: "inst-00000001", FeedbackID: "0a1b2c3d-0000-4000-8000-000000000001",
		Timestamp: "2026-11-19T08:00:00Z"}
	if d.Message != want.Message || d.Rating != 4 || !slices.Equal(d.FeatureRequests, want.FeatureRequests) ||
		d.Version != want.Version || d.InstallationID != want.InstallationID || d.FeedbackID != want.FeedbackID ||
		d.Timestamp != want.Timestamp || !d.Time.Equal(time.Date(2026, 11, 19, 8, 0, 0, 0, time.UTC)) {
		t.Errorf("decoded %+v, want %+v", d.Feedback, want)
	}
	if !slices.Equal(d.Ignored, []string{"email"}) {
		t.Errorf("ignored %v, want [email]", d.Ignored)
	}
}

func TestFeedbackBadInput(t *testing.T) {
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	long := strings.Repeat("é", MaxFeedbackChars+1)
	for _, tc := range []struct{ body, field, rule string }{
		{`{"rating":3}`, "message", "is required"},
		{`{"message":"   "}`, "message", "must not be empty"},
		{`{"message":"` + long + `"}`, "message", "at most 2000 characters (got 2001)"},
		{`{"message":"hi","rating":6}`, "rating", "between 1 and 5"},
		{`{"message":"hi","rating":0}`, "rating", "between 1 and 5"},
		{`{"message":"hi","rating":"5"}`, "rating", "between 1 and 5 (got a string)"},
		{`{"message":"hi","rating":4.5}`, "rating", "whole number"},
		{`{"message":"hi","feature_requests":["a","b","c","d","e","f"]}`, "feature_requests", "at most 5 requests (got 6)"},
		{`{"message":"hi","feature_requests":"qpg"}`, "feature_requests", "array of strings"},
		{`{"message":"hi","feature_requests":["qpg"," "]}`, "feature_requests", "request 2 must not be empty"},
		{`{"message":"hi","feature_requests":["` + strings.Repeat("x", 81) + `"]}`, "feature_requests", "at most 80 characters"},
		{`{"message":"hi","version":"1.1.0; rm -rf"}`, "version", "must match"},
		{`{"message":"hi","installation_id":"x"}`, "installation_id", "must match"},
		{`{"message":"hi","feedback_id":"nope"}`, "feedback_id", "UUID"},
		{`{"message":"hi","timestamp":"2026-12-30T00:00:00Z"}`, "timestamp", "future"},
		{`{"message":"hi","timestamp":"2024-01-01T00:00:00Z"}`, "timestamp", "older than the feedback retention (365 days)"},
		{`{"message":7}`, "message", "must be a string (got 7)"},
		{`["hi"]`, "", "one JSON object"},
		{`{"message":"hi"`, "", "not valid JSON"},
	} {
		_, err := DecodeFeedback([]byte(tc.body), now, 365*24*time.Hour)
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != tc.field || !strings.Contains(fe.Rule, tc.rule) {
			t.Errorf("%.60s: got %v, want field %q with %q", tc.body, err, tc.field, tc.rule)
		}
	}
}

func TestNormalizeFeature(t *testing.T) {
	for in, want := range map[string]string{
		"auto_rollback":          "auto_rollback",
		"  Auto   Rollback ":     "auto_rollback",
		"PREDICTIVE-INDEXING":    "predictive_indexing",
		"Support for BRIN\n idx": "Support for BRIN idx",
		"brin_indexes":           "brin_indexes",
	} {
		if got := NormalizeFeature(in); got != want {
			t.Errorf("NormalizeFeature(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestFeedbackDocExample decodes docs/feedback.md's request example.
func TestFeedbackDocExample(t *testing.T) {
	doc, err := os.ReadFile("../docs/feedback.md")
	if err != nil {
		t.Fatal(err)
	}
	block := strings.Split(string(doc), "```json\n")[1]
	block = block[:strings.Index(block, "```")]
	d, err := DecodeFeedback([]byte(block), time.Now(), 0)
	if err != nil || d.Ignored != nil || d.Rating != 3 || len(d.FeatureRequests) != 2 {
		t.Fatalf("docs/feedback.md's example: %+v, %v", d, err)
	}
	for _, f := range Features {
		if !strings.Contains(string(doc), "`"+f+"`") {
			t.Errorf("docs/feedback.md does not list the feature %s", f)
		}
	}
}
